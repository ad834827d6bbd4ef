DELETE FROM access_tokens WHERE purpose = 'verify_actor';
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_verify_needs_actor;
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_purpose_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_purpose_check
    CHECK (purpose IN ('confirm_submission', 'edit_actor'));
DELETE FROM email_outbox WHERE kind = 'stale_reminder';
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('submission_confirmation', 'edit_link', 'decision'));
DROP TABLE stale_reminders;
DROP INDEX actors_published_freshness;
ALTER TABLE actors DROP COLUMN last_verified_at;
ALTER TABLE moderation_items DROP COLUMN api_key_id;
DROP TABLE api_key_usage;
DROP TABLE api_keys;
