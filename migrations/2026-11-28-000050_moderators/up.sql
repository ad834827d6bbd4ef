-- Moderators and admins, their sessions, the append-only audit log of every moderation
-- action, and the redirects left by merged actors.

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    email           text NOT NULL UNIQUE CHECK (email = lower(email)),
    display_name    text NOT NULL,
    role            text NOT NULL CHECK (role IN ('moderator', 'admin')),
    password_hash   text NOT NULL,
    failed_logins   integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS 'People who moderate the Atlas (moderator) or also manage users and keys (admin).';
COMMENT ON COLUMN users.id IS 'User id.';
COMMENT ON COLUMN users.email IS 'Login name, lowercase.';
COMMENT ON COLUMN users.display_name IS 'Name shown in history and audit entries.';
COMMENT ON COLUMN users.role IS 'moderator or admin.';
COMMENT ON COLUMN users.password_hash IS 'Argon2id PHC string; the password itself is never stored.';
COMMENT ON COLUMN users.failed_logins IS 'Consecutive failed logins; reset by a successful one.';
COMMENT ON COLUMN users.locked_until IS 'After repeated failures, logins are refused until then.';
COMMENT ON COLUMN users.created_at IS 'When the account was created.';

CREATE TABLE sessions (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
COMMENT ON TABLE sessions IS 'Bearer tokens of logged-in users, stored as SHA-256 hashes only.';
COMMENT ON COLUMN sessions.token_hash IS 'Hex SHA-256 of the bearer token.';
COMMENT ON COLUMN sessions.user_id IS 'Whose session it is.';
COMMENT ON COLUMN sessions.created_at IS 'Login time.';
COMMENT ON COLUMN sessions.expires_at IS 'The token is refused after this time.';
COMMENT ON COLUMN sessions.revoked_at IS 'Set by logout; the token is refused from then on.';
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    user_id      uuid REFERENCES users (id),
    user_label   text NOT NULL,
    action       text NOT NULL,
    target_kind  text NOT NULL,
    target_id    text NOT NULL,
    details      jsonb NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE audit_log IS 'Every moderation and administration action, append-only (a trigger forbids UPDATE and DELETE).';
COMMENT ON COLUMN audit_log.id IS 'Order of the actions.';
COMMENT ON COLUMN audit_log.at IS 'When the action was taken.';
COMMENT ON COLUMN audit_log.user_id IS 'Who took it (NULL for the command line).';
COMMENT ON COLUMN audit_log.user_label IS 'Who took it, as shown: display name and email, or "cli".';
COMMENT ON COLUMN audit_log.action IS 'What was done: archive, restore, merge, create_user, approve, ...';
COMMENT ON COLUMN audit_log.target_kind IS 'What it was done to: actor, user, submission, ...';
COMMENT ON COLUMN audit_log.target_id IS 'The id of the target.';
COMMENT ON COLUMN audit_log.details IS 'Reason, note, and other facts of the action.';
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

CREATE TABLE actor_redirects (
    from_id    uuid PRIMARY KEY,
    from_slug  text NOT NULL,
    to_id      uuid NOT NULL REFERENCES actors (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE actor_redirects IS 'Actors merged into another: their old id and slug answer 301 to the survivor.';
COMMENT ON COLUMN actor_redirects.from_id IS 'The id of the merged (removed) actor.';
COMMENT ON COLUMN actor_redirects.from_slug IS 'Its slug at the time of the merge.';
COMMENT ON COLUMN actor_redirects.to_id IS 'The actor it was merged into.';
COMMENT ON COLUMN actor_redirects.created_at IS 'When the merge happened.';
CREATE INDEX actor_redirects_slug ON actor_redirects (from_slug);
