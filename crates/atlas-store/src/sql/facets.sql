-- Facet counts of the matching actors (FROM/filters are the list query's, appended in
-- search.rs as {matching}). A parent category counts the actors of its children once, as the
-- category= filter includes children.
WITH m AS (SELECT a.id, a.categories, a.kind, a.country, a.languages {matching})
SELECT 'total' AS facet, '' AS value, count(*) AS count FROM m
UNION ALL
SELECT 'category', x.category, count(DISTINCT m.id)
FROM m CROSS JOIN LATERAL (
    SELECT unnest(m.categories) AS category
    UNION
    SELECT c.parent_id FROM categories c WHERE c.id = ANY (m.categories) AND c.parent_id IS NOT NULL
) AS x
GROUP BY x.category
UNION ALL
SELECT 'kind', m.kind, count(*) FROM m GROUP BY m.kind
UNION ALL
SELECT 'country', m.country, count(*) FROM m WHERE m.country IS NOT NULL GROUP BY m.country
UNION ALL
SELECT 'language', l, count(*) FROM m CROSS JOIN unnest(m.languages) AS l GROUP BY l
