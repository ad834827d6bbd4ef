-- Partners with admin-issued API keys (scoped, with an hourly quota), stale-listing reminders
-- with a one-click "still correct" link, and the date each listing was last confirmed.

CREATE TABLE api_keys (
    id              uuid PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefix          text NOT NULL UNIQUE,
    key_hash        bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    can_submit      boolean NOT NULL,
    editable_actors uuid[] NOT NULL DEFAULT '{}',
    quota_per_hour  integer NOT NULL CHECK (quota_per_hour > 0),
    expires_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      uuid REFERENCES users (id),
    revoked_at      timestamptz,
    revoked_by      uuid REFERENCES users (id),
    last_used_at    timestamptz,
    CHECK (can_submit OR cardinality(editable_actors) > 0)
);
COMMENT ON TABLE api_keys IS 'Keys admins issue to partner organisations: they submit and edit listings without email confirmation (moderation still applies). Only the SHA-256 of a key is stored.';
COMMENT ON COLUMN api_keys.id IS 'Key id (used to list and revoke it).';
COMMENT ON COLUMN api_keys.name IS 'The partner organisation holding the key, shown to moderators as the submitter.';
COMMENT ON COLUMN api_keys.prefix IS 'The first characters of the key (atlas_pk_ and 8 more), shown in listings so a key can be recognised without revealing it.';
COMMENT ON COLUMN api_keys.key_hash IS 'SHA-256 of the whole key; the key itself is shown once, when it is created.';
COMMENT ON COLUMN api_keys.can_submit IS 'Scope "submit": the key may propose new listings (POST /v1/submissions).';
COMMENT ON COLUMN api_keys.editable_actors IS 'Scope "edit": the actors whose listing the key may propose edits to (PATCH /v1/actors/{id}).';
COMMENT ON COLUMN api_keys.quota_per_hour IS 'Requests the key may make per clock hour (UTC); more are refused with 429 quota_exceeded.';
COMMENT ON COLUMN api_keys.expires_at IS 'After this the key is refused (NULL: it does not expire).';
COMMENT ON COLUMN api_keys.created_at IS 'When the key was issued.';
COMMENT ON COLUMN api_keys.created_by IS 'The admin who issued it.';
COMMENT ON COLUMN api_keys.revoked_at IS 'When it was revoked; a revoked key is refused.';
COMMENT ON COLUMN api_keys.revoked_by IS 'The admin who revoked it.';
COMMENT ON COLUMN api_keys.last_used_at IS 'When the key last made a request that counted against its quota.';

CREATE TABLE api_key_usage (
    api_key_id   uuid NOT NULL REFERENCES api_keys (id),
    window_start timestamptz NOT NULL,
    requests     integer NOT NULL CHECK (requests > 0),
    PRIMARY KEY (api_key_id, window_start)
);
COMMENT ON TABLE api_key_usage IS 'Requests per key and clock hour: the quota counter (in the database, so every server process shares it and a restart does not reset it).';
COMMENT ON COLUMN api_key_usage.api_key_id IS 'The key.';
COMMENT ON COLUMN api_key_usage.window_start IS 'Start of the clock hour (UTC) counted.';
COMMENT ON COLUMN api_key_usage.requests IS 'Requests accepted in that hour; never above the key''s quota.';

ALTER TABLE moderation_items ADD COLUMN api_key_id uuid REFERENCES api_keys (id);
COMMENT ON COLUMN moderation_items.api_key_id IS 'For submissions and edits sent with a partner API key: the key (the partner is the submitter; no email confirmation was needed).';

-- The date a listing was last known to be right: its owner confirmed it through a reminder,
-- or (backfill) it was last written.
ALTER TABLE actors ADD COLUMN last_verified_at timestamptz;
UPDATE actors SET last_verified_at = updated_at;
ALTER TABLE actors ALTER COLUMN last_verified_at SET NOT NULL, ALTER COLUMN last_verified_at SET DEFAULT now();
COMMENT ON COLUMN actors.last_verified_at IS 'When the listing was last confirmed correct by its owner (the "still correct" link of a reminder); backfilled with updated_at. Not a content change: no new version.';
-- `atlas remind` looks for published listings neither updated nor confirmed for N days.
CREATE INDEX actors_published_freshness ON actors (greatest(updated_at, last_verified_at)) WHERE status = 'published';

CREATE TABLE stale_reminders (
    actor_id    uuid PRIMARY KEY REFERENCES actors (id),
    reminded_at timestamptz NOT NULL
);
COMMENT ON TABLE stale_reminders IS 'When each listing''s owner was last reminded to check it, so a listing is not reminded twice within the reminder period. Kept apart from actors so queuing reminders does not touch the actors (search sync, map caches).';
COMMENT ON COLUMN stale_reminders.actor_id IS 'The listing.';
COMMENT ON COLUMN stale_reminders.reminded_at IS 'When the last reminder was queued.';

ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('submission_confirmation', 'edit_link', 'decision', 'stale_reminder'));
COMMENT ON COLUMN email_outbox.kind IS 'submission_confirmation, edit_link, decision (a moderator approved, rejected or asked for changes; the text is re-read from moderation_items), or stale_reminder (the owner is asked whether the listing is still correct).';

ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_purpose_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_purpose_check
    CHECK (purpose IN ('confirm_submission', 'edit_actor', 'verify_actor'));
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_verify_needs_actor
    CHECK (purpose <> 'verify_actor' OR actor_id IS NOT NULL);
COMMENT ON COLUMN access_tokens.purpose IS 'confirm_submission (the link in the confirmation email; later also reads the status), edit_actor (an owner''s edit link) or verify_actor (the "still correct" link of a stale-listing reminder).';
