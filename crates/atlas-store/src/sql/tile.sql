-- One Mapbox Vector Tile, layer `actors`, built by PostGIS. The items placeholder is map_cells.sql or
-- map_singles.sql restricted to the tile: its first condition is
-- `a.geom && ST_Transform(ST_TileEnvelope($1, $2, $3), 4326)` so the partial GiST index
-- actors_published_geom picks the candidates (tile coordinates are bound parameters: with
-- literals the planner was seen to choose a parallel sequential scan). Points are projected to
-- Web Mercator and to tile space (extent 4096, buffer 64) only after that.
SELECT coalesce(ST_AsMVT(tile, 'actors', 4096, 'geom'), ''::bytea) AS mvt
FROM (
    SELECT ST_AsMVTGeom(
               ST_Transform(ST_SetSRID(ST_MakePoint(i.lon,
                   LEAST(GREATEST(i.lat, -85.0511287798), 85.0511287798)), 4326), 3857),
               ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true) AS geom,
           coalesce(i.actor_id, {zoom}::text || '/' || i.cx || '/' || i.cy) AS id,
           i.n > 1 AS cluster,
           i.n AS count,
           i.name,
           i.kind,
           CASE WHEN i.n = 1 THEN array_to_string(i.categories, ',')
                ELSE (SELECT string_agg(e->>0, ',') FROM json_array_elements(i.top_categories::json) e)
           END AS categories,
           i.slug
    FROM ({items}) i
) tile
WHERE tile.geom IS NOT NULL
