-- Autocomplete: actor names, cities and category labels close to what was typed ($1), in the
-- reader's language ($2, then English). Typo tolerant through trigram word similarity; a name
-- that contains the text as typed ranks first. Small: actors_published_search_names (trigram
-- GIN) serves the name look-up on large tables. A town typed in another language or script
-- suggests the name its actors give it ("Vienna": Wien; search_place_aliases).
WITH q AS (SELECT atlas_normalise($1) AS t),
town AS (SELECT coalesce(array_agg(s.alias), '{}') AS aliases
         FROM search_place_aliases s, q WHERE s.word = q.t),
names AS (
    SELECT 'actor' AS kind, a.id::text AS id, a.name AS label, a.country, NULL::int8 AS count,
           (CASE WHEN starts_with(a.search_names, q.t) THEN 2
                 WHEN position(q.t IN a.search_names) > 0 THEN 1 ELSE 0 END
            + word_similarity(q.t, a.search_names))::float8 AS score
    FROM actors a, q
    WHERE a.status = 'published'
      AND (position(q.t IN a.search_names) > 0 OR word_similarity(q.t, a.search_names) >= 0.45)
    ORDER BY score DESC, a.sort_name
    LIMIT $3
),
cities AS (
    SELECT 'city' AS kind, min(a.city) AS id, min(a.city) AS label, a.country, count(*) AS count,
           (CASE WHEN starts_with(atlas_normalise(min(a.city)), q.t)
                   OR atlas_normalise(min(a.city)) = ANY (town.aliases) THEN 2 ELSE 0 END
            + word_similarity(q.t, atlas_normalise(min(a.city))) + 0.1)::float8 AS score
    FROM actors a, q, town
    WHERE a.status = 'published' AND a.city IS NOT NULL
      AND (position(q.t IN atlas_normalise(a.city)) > 0 OR word_similarity(q.t, atlas_normalise(a.city)) >= 0.45
           OR atlas_normalise(a.city) = ANY (town.aliases))
    GROUP BY atlas_normalise(a.city), a.country, q.t, town.aliases
    ORDER BY score DESC, count DESC
    LIMIT $3
),
labels AS (
    SELECT 'category' AS kind, c.id, coalesce(c.labels ->> $2, c.labels ->> 'en') AS label,
           NULL::text AS country,
           (SELECT count(*) FROM actors a WHERE a.status = 'published'
              AND a.categories && (ARRAY[c.id] || ARRAY(SELECT k.id FROM categories k WHERE k.parent_id = c.id))) AS count,
           (CASE WHEN position(q.t IN atlas_normalise(coalesce(c.labels ->> $2, c.labels ->> 'en'))) > 0 THEN 2 ELSE 0 END
            + word_similarity(q.t, atlas_normalise(coalesce(c.labels ->> $2, c.labels ->> 'en'))) + 0.2)::float8 AS score
    FROM categories c, q
    WHERE position(q.t IN atlas_normalise(coalesce(c.labels ->> $2, c.labels ->> 'en'))) > 0
       OR word_similarity(q.t, atlas_normalise(coalesce(c.labels ->> $2, c.labels ->> 'en'))) >= 0.45
    ORDER BY score DESC
    LIMIT $3
)
SELECT kind, id, label, country, count, score FROM (
    SELECT * FROM names UNION ALL SELECT * FROM cities UNION ALL SELECT * FROM labels
) AS s
ORDER BY score DESC, label
LIMIT $3
