-- Submitters hear about every decision on their proposal: a third kind of queued email.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('submission_confirmation', 'edit_link', 'decision'));
COMMENT ON COLUMN email_outbox.kind IS 'submission_confirmation, edit_link, or decision (a moderator approved, rejected or asked for changes; the text is re-read from moderation_items).';
