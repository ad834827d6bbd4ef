-- The public change feed: one ordered event per change to what the public sees, written in
-- the same transaction as the change, so a consumer replaying it never misses or invents one.

CREATE TABLE change_events (
    seq         bigserial PRIMARY KEY,
    actor_id    uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
    version     integer NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE change_events IS 'Append-only feed of changes to the published dataset (GET /v1/changes), for incremental sync.';
COMMENT ON COLUMN change_events.seq IS 'Position in the feed; consumers resume with ?since=<last seq>.';
COMMENT ON COLUMN change_events.actor_id IS 'The actor that changed (no foreign key: deleted actors keep their events).';
COMMENT ON COLUMN change_events.kind IS 'created (became public), updated (public data changed) or deleted (no longer public: archived, erased, merged away).';
COMMENT ON COLUMN change_events.version IS 'The actor version after the change.';
COMMENT ON COLUMN change_events.occurred_at IS 'When the change was committed.';
CREATE INDEX change_events_actor ON change_events (actor_id, seq);

CREATE TRIGGER change_events_append_only BEFORE UPDATE OR DELETE ON change_events
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
