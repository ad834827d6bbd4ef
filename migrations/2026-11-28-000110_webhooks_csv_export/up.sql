-- Webhooks: admins register a URL that is told of every change-feed event it subscribes to.
-- Deliveries are an outbox filled by a trigger on change_events, so a delivery row exists
-- exactly when its event was committed (same transaction), whatever code path wrote it; a
-- worker in `atlas serve` sends them later, so no request ever waits for a receiver.

CREATE TABLE webhooks (
    id         uuid PRIMARY KEY,
    url        text NOT NULL,
    events     text[] NOT NULL CHECK (cardinality(events) > 0
                                      AND events <@ ARRAY['created', 'updated', 'deleted']),
    secret     text NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE webhooks IS 'Receivers of change-feed events (POST /v1/admin/webhooks).';
COMMENT ON COLUMN webhooks.id IS 'Webhook id.';
COMMENT ON COLUMN webhooks.url IS 'http(s) URL the events are POSTed to; checked against private addresses at registration and at each delivery.';
COMMENT ON COLUMN webhooks.events IS 'Change kinds delivered: created, updated and/or deleted (merges appear as deleted + updated).';
COMMENT ON COLUMN webhooks.secret IS 'Shared HMAC-SHA256 key the deliveries are signed with. Stored as given because the server must sign with it (a hash could not); never returned by the API.';
COMMENT ON COLUMN webhooks.created_by IS 'The admin who registered it.';
COMMENT ON COLUMN webhooks.created_at IS 'When it was registered.';

CREATE TABLE webhook_deliveries (
    id                   bigserial PRIMARY KEY,
    webhook_id           uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    seq                  bigint NOT NULL REFERENCES change_events (seq),
    status               text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'delivered', 'parked')),
    attempts             integer NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL DEFAULT now(),
    last_attempt_at      timestamptz,
    last_response_status integer,
    last_error           text,
    delivered_at         timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (webhook_id, seq)
);
COMMENT ON TABLE webhook_deliveries IS 'Outbox of webhook deliveries: one row per (webhook, change event), written in the transaction of the event.';
COMMENT ON COLUMN webhook_deliveries.id IS 'Delivery id (sent as the Atlas-Delivery header).';
COMMENT ON COLUMN webhook_deliveries.webhook_id IS 'The receiving webhook.';
COMMENT ON COLUMN webhook_deliveries.seq IS 'The change event delivered (its data is re-read from change_events when sent).';
COMMENT ON COLUMN webhook_deliveries.status IS 'pending (to send or retry), delivered (a 2xx answer) or parked (gave up after the maximum attempts; an admin may retry it).';
COMMENT ON COLUMN webhook_deliveries.attempts IS 'Attempts made so far.';
COMMENT ON COLUMN webhook_deliveries.next_attempt_at IS 'When a worker may try it next (exponential back-off; also the lease of a worker holding it).';
COMMENT ON COLUMN webhook_deliveries.last_attempt_at IS 'When the last attempt started.';
COMMENT ON COLUMN webhook_deliveries.last_response_status IS 'HTTP status of the last answer, if one came.';
COMMENT ON COLUMN webhook_deliveries.last_error IS 'Why the last attempt failed.';
COMMENT ON COLUMN webhook_deliveries.delivered_at IS 'When the receiver accepted it.';
COMMENT ON COLUMN webhook_deliveries.created_at IS 'When the event was committed.';
-- The worker's claim: the oldest due pending delivery.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
-- A webhook's recent deliveries, newest first (admin API).
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id DESC);

CREATE FUNCTION enqueue_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (webhook_id, seq)
    SELECT w.id, NEW.seq FROM webhooks w WHERE NEW.kind = ANY (w.events);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION enqueue_webhook_deliveries() IS 'Fans a change event out to the webhooks subscribed to its kind, in the same transaction.';
CREATE TRIGGER change_events_webhooks AFTER INSERT ON change_events
    FOR EACH ROW EXECUTE FUNCTION enqueue_webhook_deliveries();

-- CSV exports are written by PostgreSQL itself (COPY ... TO STDOUT WITH (FORMAT csv)); this
-- is the cell rule they apply. A plain SQL expression, so the planner inlines it.
CREATE FUNCTION csv_cell(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        -- COPY writes '' as "" (to tell it from NULL); an empty cell is just empty.
        WHEN value = '' THEN NULL
        -- Spreadsheets run cells starting with these as formulas (CWE-1236): prefix an
        -- apostrophe, as OWASP recommends.
        WHEN left(value, 1) IN ('=', '+', '-', '@', E'\t', E'\r') THEN '''' || value
        ELSE value
    END
$$;
COMMENT ON FUNCTION csv_cell(text) IS 'A text as a safe CSV cell: formula-starting cells neutralised with a leading apostrophe, empty as NULL (exports).';

-- Timestamps as RFC 3339 in UTC, with 0, 3 or 6 fractional digits as needed (the form the API's
-- JSON uses, so CSV and JSON exports agree to the character).
CREATE FUNCTION csv_time(at timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE
               WHEN date_part('microseconds', at)::bigint % 1000000 = 0 THEN ''
               WHEN date_part('microseconds', at)::bigint % 1000 = 0 THEN to_char(at AT TIME ZONE 'UTC', '.MS')
               ELSE to_char(at AT TIME ZONE 'UTC', '.US')
           END
        || '+00:00'
$$;
COMMENT ON FUNCTION csv_time(timestamptz) IS 'A timestamp as RFC 3339 in UTC with 0, 3 or 6 fractional digits (CSV exports).';
