-- Facet counts of the matching actors (FROM/filters are the list query's, appended in
-- search.rs where m selects them). A category counts the actors that carry it or any of its
-- descendants, once each — what the category= filter matches: each actor keeps its
-- categories with all their ancestors, deduplicated (actors.category_ancestry, migration
-- 000210), so every count is one hash aggregate with nothing looked up per row.
WITH m AS (SELECT a.category_ancestry, a.kind, a.country, a.languages {matching})
SELECT 'total' AS facet, '' AS value, count(*) AS count FROM m
UNION ALL
SELECT 'category', c.category, count(*) FROM (SELECT unnest(m.category_ancestry) AS category FROM m) AS c
GROUP BY c.category
UNION ALL
SELECT 'kind', m.kind, count(*) FROM m GROUP BY m.kind
UNION ALL
SELECT 'country', m.country, count(*) FROM m WHERE m.country IS NOT NULL GROUP BY m.country
UNION ALL
SELECT 'language', l.language, count(*) FROM (SELECT unnest(m.languages) AS language FROM m) AS l
GROUP BY l.language
