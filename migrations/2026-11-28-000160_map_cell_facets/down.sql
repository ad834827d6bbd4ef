-- Back to the cells of 000120: all published actors only, no top categories or single
-- member stored (the definitions below are those of 000120, rebuilt from the actors).
DROP TRIGGER map_cells_follow_category_updates ON categories;
DROP TRIGGER map_cells_follow_category_inserts ON categories;
DROP TRIGGER map_cells_follow_category_deletes ON categories;
DROP FUNCTION map_cells_follow_categories();
DROP FUNCTION map_cells_apply(map_cell_member[], map_cell_member[]);
DROP TYPE map_cell_member;
DROP TYPE map_cell_key;
DROP TYPE map_cell_category_key;
DROP FUNCTION map_cell_zooms();
DROP TABLE map_cells, map_cell_categories;
DROP FUNCTION map_cell_facet_matches(text, text, text[], text, text, text[]);
DROP FUNCTION map_cell_facets(text, text, text[]);
DROP FUNCTION category_subtree(text);
DROP FUNCTION category_ancestry(text[]);
DROP FUNCTION map_cells_facet_max_zoom();

CREATE TABLE map_cells (
    zoom smallint NOT NULL,
    cx bigint NOT NULL,
    cy bigint NOT NULL,
    actors bigint NOT NULL,
    lon_sum numeric NOT NULL,
    lat_sum numeric NOT NULL,
    west double precision NOT NULL,
    south double precision NOT NULL,
    east double precision NOT NULL,
    north double precision NOT NULL,
    PRIMARY KEY (zoom, cx, cy)
);
COMMENT ON TABLE map_cells IS
    'One row per non-empty cluster cell of the published actors at zooms 0 to map_cells_max_zoom(); kept by triggers on actors.';
COMMENT ON COLUMN map_cells.zoom IS 'Map zoom of the grid (0 to map_cells_max_zoom()).';
COMMENT ON COLUMN map_cells.cx IS 'Cell column, map_cell_x(longitude, zoom).';
COMMENT ON COLUMN map_cells.cy IS 'Cell row, map_cell_y(latitude, zoom).';
COMMENT ON COLUMN map_cells.actors IS 'How many published actors lie in the cell.';
COMMENT ON COLUMN map_cells.lon_sum IS 'Sum of their longitudes (exact numeric, so the mean does not depend on the order of writes).';
COMMENT ON COLUMN map_cells.lat_sum IS 'Sum of their latitudes (exact numeric).';
COMMENT ON COLUMN map_cells.west IS 'Smallest longitude of a member.';
COMMENT ON COLUMN map_cells.south IS 'Smallest latitude of a member.';
COMMENT ON COLUMN map_cells.east IS 'Largest longitude of a member.';
COMMENT ON COLUMN map_cells.north IS 'Largest latitude of a member.';

CREATE TABLE map_cell_categories (
    zoom smallint NOT NULL,
    cx bigint NOT NULL,
    cy bigint NOT NULL,
    category text NOT NULL,
    actors bigint NOT NULL,
    PRIMARY KEY (zoom, cx, cy, category)
);
COMMENT ON TABLE map_cell_categories IS
    'How many published actors of a map_cells cell carry each category (for a cluster''s top categories); kept by triggers on actors.';
COMMENT ON COLUMN map_cell_categories.zoom IS 'Zoom of the cell (see map_cells).';
COMMENT ON COLUMN map_cell_categories.cx IS 'Cell column (see map_cells).';
COMMENT ON COLUMN map_cell_categories.cy IS 'Cell row (see map_cells).';
COMMENT ON COLUMN map_cell_categories.category IS 'Category id.';
COMMENT ON COLUMN map_cell_categories.actors IS 'Published actors of the cell with this category (> 0).';

CREATE TYPE map_cell_member AS (lon double precision, lat double precision, categories text[]);
COMMENT ON TYPE map_cell_member IS
    'What a cell needs of an actor: its position and categories (the unit of map_cells_apply).';

-- Applies actors that left (removed) and joined (added) the published set to the stored cells.
-- Counts, sums and category counts take the difference; an extent only grows on its own, so a
-- cell whose extent was set by a member that left is measured again from its remaining
-- members — found by the GiST index within the old extent, which holds them all. A member
-- leaves seldom where it sets the extent of a big cell (4 of n members do), so this stays cheap.
-- All writers of cells queue on one transaction lock: the low-zoom cells are shared by every
-- write anyway, and a single lock cannot deadlock.
CREATE FUNCTION map_cells_apply(removed map_cell_member[], added map_cell_member[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(removed) = 0 AND cardinality(added) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7001, 120);

    INSERT INTO map_cells AS c (zoom, cx, cy, actors, lon_sum, lat_sum, west, south, east, north)
    SELECT z, map_cell_x(m.lon, z), map_cell_y(m.lat, z),
           sum(m.sign), sum(m.sign * m.lon::numeric), sum(m.sign * m.lat::numeric),
           coalesce(min(m.lon) FILTER (WHERE m.sign > 0), 'Infinity'),
           coalesce(min(m.lat) FILTER (WHERE m.sign > 0), 'Infinity'),
           coalesce(max(m.lon) FILTER (WHERE m.sign > 0), '-Infinity'),
           coalesce(max(m.lat) FILTER (WHERE m.sign > 0), '-Infinity')
    FROM (SELECT r.lon, r.lat, -1 AS sign FROM unnest(removed) r
          UNION ALL
          SELECT a.lon, a.lat, 1 FROM unnest(added) a) m,
         generate_series(0, map_cells_max_zoom()) z
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (zoom, cx, cy) DO UPDATE SET
        actors = c.actors + excluded.actors,
        lon_sum = c.lon_sum + excluded.lon_sum,
        lat_sum = c.lat_sum + excluded.lat_sum,
        west = LEAST(c.west, excluded.west),
        south = LEAST(c.south, excluded.south),
        east = GREATEST(c.east, excluded.east),
        north = GREATEST(c.north, excluded.north);

    IF cardinality(removed) > 0 THEN
        DELETE FROM map_cells c
        USING (SELECT DISTINCT z AS zoom, map_cell_x(r.lon, z) AS cx, map_cell_y(r.lat, z) AS cy
               FROM unnest(removed) r, generate_series(0, map_cells_max_zoom()) z) t
        WHERE (c.zoom, c.cx, c.cy) = (t.zoom, t.cx, t.cy) AND c.actors <= 0;

        UPDATE map_cells c
        SET west = e.west, south = e.south, east = e.east, north = e.north
        FROM (SELECT DISTINCT c.zoom, c.cx, c.cy
              FROM unnest(removed) r, generate_series(0, map_cells_max_zoom()) z, map_cells c
              WHERE (c.zoom, c.cx, c.cy) = (z, map_cell_x(r.lon, z), map_cell_y(r.lat, z))
                AND (r.lon IN (c.west, c.east) OR r.lat IN (c.south, c.north))) t,
             map_cells old,
             LATERAL (
                 -- Index: actors_published_geom (GiST), within the cell's old extent.
                 SELECT min(ST_X(a.geom)) AS west, min(ST_Y(a.geom)) AS south,
                        max(ST_X(a.geom)) AS east, max(ST_Y(a.geom)) AS north
                 FROM actors a
                 WHERE a.status = 'published'
                   AND a.geom && ST_MakeEnvelope(old.west, old.south, old.east, old.north, 4326)
                   AND map_cell_x(ST_X(a.geom), old.zoom) = old.cx
                   AND map_cell_y(ST_Y(a.geom), old.zoom) = old.cy
             ) e
        WHERE (old.zoom, old.cx, old.cy) = (t.zoom, t.cx, t.cy)
          AND (c.zoom, c.cx, c.cy) = (t.zoom, t.cx, t.cy)
          AND e.west IS NOT NULL;
    END IF;

    INSERT INTO map_cell_categories AS c (zoom, cx, cy, category, actors)
    SELECT z, map_cell_x(m.lon, z), map_cell_y(m.lat, z), category, sum(m.sign)
    FROM (SELECT r.lon, r.lat, r.categories, -1 AS sign FROM unnest(removed) r
          UNION ALL
          SELECT a.lon, a.lat, a.categories, 1 FROM unnest(added) a) m,
         unnest(m.categories) category,
         generate_series(0, map_cells_max_zoom()) z
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (zoom, cx, cy, category) DO UPDATE SET actors = c.actors + excluded.actors;

    IF cardinality(removed) > 0 THEN
        DELETE FROM map_cell_categories c
        USING (SELECT DISTINCT z AS zoom, map_cell_x(r.lon, z) AS cx, map_cell_y(r.lat, z) AS cy
               FROM unnest(removed) r, generate_series(0, map_cells_max_zoom()) z) t
        WHERE (c.zoom, c.cx, c.cy) = (t.zoom, t.cx, t.cy) AND c.actors <= 0;
    END IF;
END
$$;
COMMENT ON FUNCTION map_cells_apply(map_cell_member[], map_cell_member[]) IS
    'Moves published actors out of (removed) and into (added) the stored cluster cells; called by the triggers on actors.';

-- Statement triggers with transition tables: a bulk load of a million actors is one call.
-- An UPDATE that changes neither position, categories nor publication cancels out (EXCEPT ALL)
-- and touches no cell.
CREATE OR REPLACE FUNCTION map_cells_follow_actors() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM map_cells_apply('{}',
            ARRAY(SELECT (ST_X(n.geom), ST_Y(n.geom), n.categories)::map_cell_member
                  FROM new_actors n WHERE n.status = 'published'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM map_cells_apply(
            ARRAY(SELECT (ST_X(o.geom), ST_Y(o.geom), o.categories)::map_cell_member
                  FROM old_actors o WHERE o.status = 'published'),
            '{}');
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM map_cells_apply(
            ARRAY(SELECT (lon, lat, categories)::map_cell_member FROM (
                      SELECT ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, o.categories
                      FROM old_actors o WHERE o.status = 'published'
                      EXCEPT ALL
                      SELECT ST_X(n.geom), ST_Y(n.geom), n.categories
                      FROM new_actors n WHERE n.status = 'published') gone),
            ARRAY(SELECT (lon, lat, categories)::map_cell_member FROM (
                      SELECT ST_X(n.geom) AS lon, ST_Y(n.geom) AS lat, n.categories
                      FROM new_actors n WHERE n.status = 'published'
                      EXCEPT ALL
                      SELECT ST_X(o.geom), ST_Y(o.geom), o.categories
                      FROM old_actors o WHERE o.status = 'published') came));
    ELSIF TG_OP = 'TRUNCATE' THEN
        TRUNCATE map_cells, map_cell_categories;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION map_cells_follow_actors() IS
    'Trigger function: keeps map_cells and map_cell_categories equal to the published actors.';

-- Builds the stored cells afresh from the published actors: for the actors already there, and
-- after a load that bypassed the triggers (e.g. `SET session_replication_role = replica`).
-- Plain grouped inserts, far quicker for millions of actors than applying them as changes.
CREATE OR REPLACE FUNCTION map_cells_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7001, 120);
    TRUNCATE map_cells, map_cell_categories;
    INSERT INTO map_cells (zoom, cx, cy, actors, lon_sum, lat_sum, west, south, east, north)
    SELECT z, map_cell_x(p.lon, z), map_cell_y(p.lat, z), count(*),
           sum(p.lon::numeric), sum(p.lat::numeric), min(p.lon), min(p.lat), max(p.lon), max(p.lat)
    FROM (SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM actors WHERE status = 'published') p,
         generate_series(0, map_cells_max_zoom()) z
    GROUP BY 1, 2, 3;
    INSERT INTO map_cell_categories (zoom, cx, cy, category, actors)
    SELECT z, map_cell_x(p.lon, z), map_cell_y(p.lat, z), category, count(*)
    FROM (SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, categories
          FROM actors WHERE status = 'published') p,
         unnest(p.categories) category,
         generate_series(0, map_cells_max_zoom()) z
    GROUP BY 1, 2, 3, 4;
    ANALYZE map_cells;
    ANALYZE map_cell_categories;
END
$$;
COMMENT ON FUNCTION map_cells_rebuild() IS
    'Recomputes map_cells and map_cell_categories from the published actors (after a load without triggers).';

SELECT map_cells_rebuild();
