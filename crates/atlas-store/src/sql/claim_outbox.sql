-- Claims due outbox rows for a while (the lease): other workers skip locked rows and leased
-- ones, and skip actors another worker is holding, so one actor is never indexed by two
-- workers at once (an older read could otherwise overwrite a newer one).
-- Index: search_outbox_due (next_attempt_at, id).
UPDATE search_outbox o
SET claimed_until = now() + make_interval(secs => $2)
WHERE o.id IN (
    SELECT d.id FROM search_outbox d
    WHERE d.next_attempt_at <= now()
      AND (d.claimed_until IS NULL OR d.claimed_until < now())
      AND NOT EXISTS (SELECT 1 FROM search_outbox h
                      WHERE h.actor_id = d.actor_id AND h.claimed_until >= now())
    ORDER BY d.id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
RETURNING o.id, o.actor_id, o.attempts
