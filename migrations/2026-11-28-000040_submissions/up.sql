-- Partners put themselves on the map: submissions, owner edits, reports and erasure requests
-- (one moderation queue), single-use tokens stored hashed, an email outbox, and the GeoNames
-- gazetteer used to geocode addresses offline.

CREATE TABLE moderation_items (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('submission', 'edit', 'report', 'erasure_request')),
    actor_id        uuid NOT NULL REFERENCES actors (id),
    status          text NOT NULL CHECK (status IN ('awaiting_confirmation', 'pending_review', 'approved', 'rejected', 'changes_requested', 'withdrawn')),
    base_version    integer,
    proposed        jsonb,
    reason          text CHECK (reason IS NULL OR reason IN ('wrong_data', 'closed', 'duplicate', 'abuse', 'erasure')),
    message         text,
    submitter_email text,
    contact_email   text,
    contact_phone   text,
    consent         jsonb,
    flags           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(flags) = 'array'),
    duplicates      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(duplicates) = 'array'),
    feedback        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    confirmed_at    timestamptz,
    decided_at      timestamptz,
    CHECK (kind NOT IN ('submission', 'edit') OR proposed IS NOT NULL),
    CHECK (kind <> 'edit' OR base_version IS NOT NULL),
    CHECK (kind <> 'report' OR reason IS NOT NULL)
);
COMMENT ON TABLE moderation_items IS 'The moderation queue: new-listing submissions, owner edits, reports and erasure requests, each waiting for a moderator (private; never public).';
COMMENT ON COLUMN moderation_items.id IS 'Public id of the item (the submission id returned to the submitter).';
COMMENT ON COLUMN moderation_items.kind IS 'submission (a new listing), edit (an owner''s change), report (anyone flags a listing) or erasure_request (the owner asks for removal).';
COMMENT ON COLUMN moderation_items.actor_id IS 'The listing concerned; for a submission, the not-yet-public actor it created.';
COMMENT ON COLUMN moderation_items.status IS 'awaiting_confirmation (email not yet confirmed), pending_review (in the queue), then a moderator''s decision.';
COMMENT ON COLUMN moderation_items.base_version IS 'For edits: the actor version the owner edited (If-Match); one pending edit per version.';
COMMENT ON COLUMN moderation_items.proposed IS 'For submissions and edits: the proposed public profile (domain ActorProfile as JSON).';
COMMENT ON COLUMN moderation_items.reason IS 'For reports: wrong_data, closed, duplicate or abuse; erasure for erasure requests.';
COMMENT ON COLUMN moderation_items.message IS 'Free text from the submitter or reporter (plain text).';
COMMENT ON COLUMN moderation_items.submitter_email IS 'Who to write to about this item (private).';
COMMENT ON COLUMN moderation_items.contact_email IS 'For submissions and edits: the proposed private contact email.';
COMMENT ON COLUMN moderation_items.contact_phone IS 'For submissions and edits: the proposed private contact phone.';
COMMENT ON COLUMN moderation_items.consent IS 'For submissions: the consent given, {"publish": true, "licence": "ODbL-1.0", "at": "..."} (private).';
COMMENT ON COLUMN moderation_items.flags IS 'Data-quality flags for moderators: [{"code": "point_outside_country", "message": "..."}].';
COMMENT ON COLUMN moderation_items.duplicates IS 'Possible duplicates found when the item was created: [{"id", "name", "reason", "distance_km"}].';
COMMENT ON COLUMN moderation_items.feedback IS 'The moderator''s feedback to the submitter.';
COMMENT ON COLUMN moderation_items.created_at IS 'When the item was created; the queue is served oldest first.';
COMMENT ON COLUMN moderation_items.confirmed_at IS 'When the submitter confirmed their email address.';
COMMENT ON COLUMN moderation_items.decided_at IS 'When a moderator decided.';
-- The moderators' queue: open items oldest first, optionally by kind.
CREATE INDEX moderation_items_queue ON moderation_items (created_at, id) WHERE status = 'pending_review';
CREATE INDEX moderation_items_actor ON moderation_items (actor_id);
-- At most one pending edit per actor version, so of two concurrent edits quoting the same
-- version exactly one wins.
CREATE UNIQUE INDEX moderation_items_one_edit_per_version ON moderation_items (actor_id, base_version)
    WHERE kind = 'edit' AND status = 'pending_review';

CREATE TABLE access_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    purpose    text NOT NULL CHECK (purpose IN ('confirm_submission', 'edit_actor')),
    item_id    uuid REFERENCES moderation_items (id),
    actor_id   uuid REFERENCES actors (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (purpose <> 'confirm_submission' OR item_id IS NOT NULL),
    CHECK (purpose <> 'edit_actor' OR actor_id IS NOT NULL)
);
COMMENT ON TABLE access_tokens IS 'Secrets emailed to submitters and owners; only their SHA-256 is stored, so a database leak reveals no usable token.';
COMMENT ON COLUMN access_tokens.token_hash IS 'SHA-256 of the token sent by email.';
COMMENT ON COLUMN access_tokens.purpose IS 'confirm_submission (the link in the confirmation email; later also reads the status) or edit_actor (an owner''s edit link).';
COMMENT ON COLUMN access_tokens.item_id IS 'For confirm_submission: the submission (moderation item).';
COMMENT ON COLUMN access_tokens.actor_id IS 'For edit_actor: the only actor the token may edit.';
COMMENT ON COLUMN access_tokens.created_at IS 'When the token was issued.';
COMMENT ON COLUMN access_tokens.expires_at IS 'After this the token is refused for its purpose.';
COMMENT ON COLUMN access_tokens.used_at IS 'When the token was spent; a spent token is refused (single use).';
CREATE INDEX access_tokens_item ON access_tokens (item_id);

CREATE TABLE email_outbox (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('submission_confirmation', 'edit_link')),
    recipient       text NOT NULL,
    item_id         uuid REFERENCES moderation_items (id),
    actor_id        uuid REFERENCES actors (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz
);
COMMENT ON TABLE email_outbox IS 'Emails to send, written in the same transaction as what causes them. Rows carry only keys: the sender re-reads the state and mints the token when it sends, so no plaintext token is ever at rest.';
COMMENT ON COLUMN email_outbox.id IS 'Order of queueing.';
COMMENT ON COLUMN email_outbox.kind IS 'Which message: submission_confirmation or edit_link.';
COMMENT ON COLUMN email_outbox.recipient IS 'Address to send to (private).';
COMMENT ON COLUMN email_outbox.item_id IS 'For submission_confirmation: the submission.';
COMMENT ON COLUMN email_outbox.actor_id IS 'For edit_link: the actor the link edits.';
COMMENT ON COLUMN email_outbox.created_at IS 'When the email was queued.';
COMMENT ON COLUMN email_outbox.attempts IS 'How many times sending was tried.';
COMMENT ON COLUMN email_outbox.next_attempt_at IS 'Not before this time (back-off after failures).';
COMMENT ON COLUMN email_outbox.last_error IS 'Why the last attempt failed.';
COMMENT ON COLUMN email_outbox.sent_at IS 'When the SMTP server accepted the message; NULL while pending.';
-- The sender's scan: unsent rows due now, FOR UPDATE SKIP LOCKED.
CREATE INDEX email_outbox_pending ON email_outbox (next_attempt_at, id) WHERE sent_at IS NULL;

CREATE TABLE gazetteer_places (
    geonameid  integer PRIMARY KEY,
    name       text NOT NULL,
    country    text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    admin1     text,
    population integer NOT NULL DEFAULT 0,
    geom       geometry(Point, 4326) NOT NULL
);
COMMENT ON TABLE gazetteer_places IS 'European populated places from GeoNames (cities1000, CC-BY 4.0, credit "GeoNames"), for offline geocoding to the town.';
COMMENT ON COLUMN gazetteer_places.geonameid IS 'GeoNames id.';
COMMENT ON COLUMN gazetteer_places.name IS 'Main name.';
COMMENT ON COLUMN gazetteer_places.country IS 'ISO 3166-1 alpha-2 country code.';
COMMENT ON COLUMN gazetteer_places.admin1 IS 'GeoNames first-level administrative code.';
COMMENT ON COLUMN gazetteer_places.population IS 'Population; disambiguates places with the same name (larger first).';
COMMENT ON COLUMN gazetteer_places.geom IS 'Town centre as a WGS 84 point.';

CREATE TABLE gazetteer_names (
    geonameid integer NOT NULL REFERENCES gazetteer_places (geonameid) ON DELETE CASCADE,
    name      text NOT NULL,
    folded    text NOT NULL,
    PRIMARY KEY (geonameid, name)
);
COMMENT ON TABLE gazetteer_names IS 'Every name of a gazetteer place (main and alternate names, all scripts), for matching however a user spells it.';
COMMENT ON COLUMN gazetteer_names.geonameid IS 'The place named.';
COMMENT ON COLUMN gazetteer_names.name IS 'The name as written.';
COMMENT ON COLUMN gazetteer_names.folded IS 'lower(unaccent(name)), for accent- and case-insensitive matching.';
CREATE INDEX gazetteer_names_folded ON gazetteer_names (folded);
CREATE INDEX gazetteer_names_folded_trgm ON gazetteer_names USING gin (folded gin_trgm_ops);

-- Duplicate detection by website: the host without `www.`, compared between a proposal and
-- published actors. (Similar names nearby use actors_published_geog first.)
CREATE FUNCTION website_host(url text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $$ SELECT lower(substring(url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:www\.)?([^/:?#]+)')) $$;
COMMENT ON FUNCTION website_host(text) IS 'The host of a URL, lowercase, without a leading www. (for duplicate detection).';
CREATE INDEX actors_published_website_host ON actors (website_host(website)) WHERE status = 'published';
