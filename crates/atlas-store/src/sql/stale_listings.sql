-- Published listings whose owner should be asked whether they are still correct: neither
-- changed nor confirmed for $1 days, with a contact address, and not reminded within $1 days.
-- Uses actors_published_freshness (greatest(updated_at, last_verified_at) WHERE published);
-- stale_reminders and actor_contacts are looked up by primary key.
SELECT a.id, a.name, c.email, greatest(a.updated_at, a.last_verified_at) AS last_touched
FROM actors a
JOIN actor_contacts c ON c.actor_id = a.id
LEFT JOIN stale_reminders r ON r.actor_id = a.id
WHERE a.status = 'published'
  AND greatest(a.updated_at, a.last_verified_at) < now() - make_interval(days => $1)
  AND c.email IS NOT NULL AND c.email <> ''
  AND (r.reminded_at IS NULL OR r.reminded_at < now() - make_interval(days => $1))
ORDER BY greatest(a.updated_at, a.last_verified_at), a.id
