-- Published actors grouped into the cells of a Web Mercator grid anchored at the world's
-- top-left corner (so a cell and its id do not depend on the viewport), 8 cells per tile side.
-- Cells come from two sources that never overlap, in the same shape:
--   live:   grouped here from the actors matching the live where placeholder (filters, a bbox
--           or tile envelope as `a.geom && envelope` first: partial GiST index
--           actors_published_geom), each put in its cell by map_cell_x / map_cell_y;
--   stored: read from map_cells (kept by triggers on actors; primary key
--           (facet, value, zoom, cx, cy)) for the cells of the stored set (facet placeholder:
--           '' = all published actors, 'kind' / 'country' / 'category' = one value of a single
--           filter) picked by the stored where placeholder. A stored cell carries its top
--           categories and, when it holds one actor, that actor: no lookup per cell.
-- A view whose set is stored reads its whole cells stored and groups live only the matching
-- actors of the cells cut by its edges; any other view is all live (stored where is `false`);
-- a stored set without a bbox is all stored (live where is `false`).
-- Means are exact numeric sums divided by the count, rounded to about a centimetre, so both
-- sources give the very same cluster. The zoom placeholder is the bound zoom.
WITH live AS (
    SELECT a.id, a.slug, a.name, a.kind, a.categories, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat,
           map_cell_x(ST_X(a.geom), {zoom}::int) AS cx,
           map_cell_y(ST_Y(a.geom), {zoom}::int) AS cy
    FROM actors a
    WHERE a.status = 'published' {live_where}
), live_cells AS (
    SELECT cx, cy, count(*) AS n, sum(lon::numeric) AS lon_sum, sum(lat::numeric) AS lat_sum,
           min(lon) AS west, min(lat) AS south, max(lon) AS east, max(lat) AS north,
           CASE WHEN count(*) = 1 THEN min(id::text) END AS actor_id,
           CASE WHEN count(*) = 1 THEN min(slug) END AS slug,
           CASE WHEN count(*) = 1 THEN min(name) END AS name,
           CASE WHEN count(*) = 1 THEN min(kind) END AS kind,
           CASE WHEN count(*) = 1 THEN min(categories) END AS categories
    FROM live
    GROUP BY cx, cy
), category_counts AS (
    SELECT cx, cy, category, count(*) AS n,
           row_number() OVER (PARTITION BY cx, cy ORDER BY count(*) DESC, category) AS rank
    FROM live, unnest(categories) AS category
    GROUP BY cx, cy, category
), top_categories AS (
    SELECT cx, cy, json_agg(json_build_array(category, n) ORDER BY rank)::text AS top
    FROM category_counts
    WHERE rank <= 5
    GROUP BY cx, cy
), cells AS (
    SELECT l.*, coalesce(t.top, '[]') AS top_categories
    FROM live_cells l LEFT JOIN top_categories t USING (cx, cy)
    UNION ALL
    SELECT c.cx, c.cy, c.actors, c.lon_sum, c.lat_sum, c.west, c.south, c.east, c.north,
           c.single_id::text, c.single_slug, c.single_name, c.single_kind, c.single_categories,
           c.top_categories
    FROM map_cells c
    WHERE c.facet = {facet} AND c.value = {value} AND c.zoom = {zoom} {stored_where}
)
SELECT cells.cx, cells.cy, cells.n,
       round(cells.lon_sum / cells.n, 7)::float8 AS lon,
       round(cells.lat_sum / cells.n, 7)::float8 AS lat,
       cells.west, cells.south, cells.east, cells.north,
       cells.actor_id, cells.slug, cells.name, cells.kind, cells.categories,
       cells.top_categories
FROM cells
