-- Facet counts of the matching actors (FROM/filters are the list query's, appended in
-- search.rs as {matching}). A parent category counts the actors of its children once, as the
-- category= filter includes children.
-- Built for tens of thousands of matches (a broad text query): every count is a hash
-- aggregate over one row per actor and category, with no lookup per row (the parents'
-- EXISTS is one hashed scan of the taxonomy) and no sort. Parents are counted one level up:
-- the taxonomy has two levels (the category= filter takes every level of descendants, so a
-- third level would need the ancestry here). A category is counted per row (an actor lists
-- a category once, the domain's rule); a parent per distinct actor, as one actor may list
-- the parent and a child, or two children.
WITH m AS (SELECT a.id, a.categories, a.kind, a.country, a.languages {matching}),
own AS (
    SELECT m.id, u.category,
           -- the parent the row counts for: the category's parent, or itself if it is one
           coalesce(c.parent_id,
                    CASE WHEN EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = u.category)
                         THEN u.category END) AS parent
    FROM m CROSS JOIN unnest(m.categories) AS u (category)
    LEFT JOIN categories c ON c.id = u.category)
SELECT 'total' AS facet, '' AS value, count(*) AS count FROM m
UNION ALL
SELECT 'category', own.category, count(*) FROM own
WHERE own.parent IS DISTINCT FROM own.category
GROUP BY own.category
UNION ALL
SELECT 'category', p.parent, count(*)
FROM (SELECT own.parent, own.id FROM own WHERE own.parent IS NOT NULL GROUP BY own.parent, own.id) AS p
GROUP BY p.parent
UNION ALL
SELECT 'kind', m.kind, count(*) FROM m GROUP BY m.kind
UNION ALL
SELECT 'country', m.country, count(*) FROM m WHERE m.country IS NOT NULL GROUP BY m.country
UNION ALL
SELECT 'language', l.language, count(*) FROM (SELECT unnest(m.languages) AS language FROM m) AS l
GROUP BY l.language
