-- Published actors that match the filters, grouped into the cells of a Web Mercator grid
-- anchored at the world's top-left corner (so a cell and its id do not depend on the viewport).
-- The where placeholder holds the filters (a bbox or tile envelope as `a.geom && envelope` first, served by
-- the partial GiST index actors_published_geom); the cell placeholder is the cell side in metres.
-- Latitudes are clamped to the Web Mercator limit (±85.0511°) before projecting. The
-- projection to Web Mercator is its closed formula (x = R·λ, y = R·ln tan(π/4 + φ/2), R the
-- WGS 84 semi-major axis), several times cheaper per point than ST_Transform through PROJ.
-- One row per cell: the members' count, mean position, extent, up to five most frequent
-- categories (JSON text), and for a cell of one actor that actor's marker fields.
WITH matched AS (
    SELECT a.id, a.slug, a.name, a.kind, a.categories, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat,
           6378137.0 * radians(ST_X(a.geom)) AS merc_x,
           6378137.0 * ln(tan(pi() / 4 + radians(
               LEAST(GREATEST(ST_Y(a.geom), -85.0511287798), 85.0511287798)) / 2)) AS merc_y
    FROM actors a
    WHERE a.status = 'published' {where}
), celled AS (
    SELECT m.*,
           floor((m.merc_x + 20037508.342789244) / {cell})::int8 AS cx,
           floor((20037508.342789244 - m.merc_y) / {cell})::int8 AS cy
    FROM matched m
), category_counts AS (
    SELECT cx, cy, category, count(*) AS n,
           row_number() OVER (PARTITION BY cx, cy ORDER BY count(*) DESC, category) AS rank
    FROM celled, unnest(categories) AS category
    GROUP BY cx, cy, category
), top_categories AS (
    SELECT cx, cy, json_agg(json_build_array(category, n) ORDER BY rank)::text AS top
    FROM category_counts
    WHERE rank <= 5
    GROUP BY cx, cy
), cells AS (
    SELECT c.cx, c.cy, count(*) AS n,
           -- Rounded to about a centimetre: a float sum depends on the order rows arrive in.
           round(avg(c.lon)::numeric, 7)::float8 AS lon, round(avg(c.lat)::numeric, 7)::float8 AS lat,
           min(c.lon) AS west, min(c.lat) AS south, max(c.lon) AS east, max(c.lat) AS north,
           CASE WHEN count(*) = 1 THEN min(c.id::text) END AS actor_id,
           CASE WHEN count(*) = 1 THEN min(c.slug) END AS slug,
           CASE WHEN count(*) = 1 THEN min(c.name) END AS name,
           CASE WHEN count(*) = 1 THEN min(c.kind) END AS kind,
           CASE WHEN count(*) = 1 THEN min(c.categories) END AS categories
    FROM celled c
    GROUP BY c.cx, c.cy
)
SELECT cells.*, coalesce(t.top, '[]') AS top_categories
FROM cells LEFT JOIN top_categories t USING (cx, cy)
