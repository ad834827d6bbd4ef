-- Published actors that match the filters, one row each (deep zooms: no clustering), in the
-- same shape as map_cells.sql. The where placeholder starts with `a.geom && envelope` (partial GiST index
-- actors_published_geom).
SELECT NULL::int8 AS cx, NULL::int8 AS cy, 1::int8 AS n,
       ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat,
       ST_X(a.geom) AS west, ST_Y(a.geom) AS south, ST_X(a.geom) AS east, ST_Y(a.geom) AS north,
       a.id::text AS actor_id, a.slug, a.name, a.kind, a.categories,
       '[]' AS top_categories
FROM actors a
WHERE a.status = 'published' {where}
