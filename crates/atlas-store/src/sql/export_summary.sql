-- What an export will contain, computed before the first byte is sent: how many actors,
-- when the newest changed (Last-Modified, ETag) and which languages their texts use (one
-- CSV column per language). Filters are appended by exports.rs.
SELECT count(*) AS count,
       max(a.updated_at) AS last_modified,
       coalesce(array(
           SELECT DISTINCT lang
           FROM actors t, LATERAL (
               SELECT jsonb_object_keys(t.summary) AS lang
               UNION SELECT jsonb_object_keys(t.description)
           ) keys
           WHERE t.status = 'published'
           ORDER BY lang
       ), '{}') AS text_languages
FROM actors a
WHERE a.status = 'published'
