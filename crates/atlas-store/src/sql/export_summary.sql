-- What a filtered export will contain, computed before the first byte is sent: how many
-- actors and when the newest changed (Last-Modified). Filters are appended by exports.rs;
-- without filters the summary is read from actor_export_rows instead (no scan of actors).
SELECT count(*) AS count,
       max(a.updated_at) AS last_modified
FROM actors a
WHERE a.status = 'published'
