-- A page of published actors, in two steps so that the work for every match stays small:
-- `page` sorts only what the order needs (id, sort keys, relevance) and keeps the page's
-- rows; only those are then read in full and get their highlights. from_where (FROM,
-- filters, keyset condition) and order are appended by actors.rs. Every read index on
-- actors is partial on status = 'published':
--   bbox   -> actors_published_geom   (geom && envelope)
--   near   -> actors_published_geog   (ST_DWithin on geom::geography)
--   q      -> actors_published_search_doc (search_doc @@ tsquery, GIN)
--   name   -> actors_published_sort_name (sort_name, id)
--   updated-> actors_published_updated  (updated_at DESC, id DESC)
-- total is `count(*) OVER ()` (all matches, before LIMIT, in the same scan; the matches are
-- then a subquery of their own, see actors.rs) on a first page with a text or place filter,
-- else NULL and a separate query counts (see actors.rs).
-- text is the CTE `sq AS NOT MATERIALIZED (SELECT $n::tsquery AS match_all, …)` when there
-- is a text query: the tsqueries atlas_search_query expanded the text into, in a statement of
-- their own just before, bound as values so the planner estimates their selectivity (q + a
-- small bbox then reads the box through actors_published_geom instead of rechecking every
-- text match).
WITH {text} page AS (
    SELECT a.id, a.sort_name, a.updated_at, {distance} AS distance_km, {score} AS score,
           {total} AS total
    {from_where}
    {order}
    {limit}
)
SELECT {columns}, page.sort_name, page.distance_km, page.score, page.total, {search_columns}
FROM page JOIN actors a ON a.id = page.id {text_join}
{page_order}
