-- Stored cluster cells for the common single-filter views (one kind, one country or one
-- category with its descendants) and everything a stored cell's feature needs, so that a
-- cluster read takes no lookup (issue #7: clusters for Europe at 1M actors in ≤ 100 ms, also
-- filtered; zoom 6 no longer looks up each one-actor cell by position).
--
-- map_cells and map_cell_categories gain a facet and its value: facet '' (value '') is the
-- unfiltered published set, as before, at zooms 0 to map_cells_max_zoom(); 'kind', 'country'
-- and 'category' cells hold only the actors of that value, at zooms 0 to
-- map_cells_facet_max_zoom() (deeper views are small enough to group live). A category cell
-- counts an actor once if it carries the category or any of its descendants — what
-- `?category=` means. Each cell also keeps its top five categories (as the read path shows
-- them) and, when it holds one actor, that actor's id, slug, name, kind and categories.
-- All of it is kept by the same statement triggers on actors, in the writing transaction.

DROP FUNCTION map_cells_apply(map_cell_member[], map_cell_member[]);
DROP TYPE map_cell_member;
DROP TABLE map_cells, map_cell_categories;

CREATE FUNCTION map_cells_facet_max_zoom() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 6 $$;
COMMENT ON FUNCTION map_cells_facet_max_zoom() IS
    'The deepest zoom whose kind/country/category cells are stored (atlas_domain::map::STORED_FACET_CELLS_MAX_ZOOM says the same).';

-- The categories given and all their ancestors: an actor filed under a child category is
-- found by a filter on its parent, so it belongs to the parent's category cells too.
CREATE FUNCTION category_ancestry(ids text[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE up(id) AS (
        SELECT unnest(ids)
        UNION
        SELECT c.parent_id FROM up JOIN categories c ON c.id = up.id WHERE c.parent_id IS NOT NULL
    )
    SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM up
$$;
COMMENT ON FUNCTION category_ancestry(text[]) IS
    'The given category ids and all their ancestors in the taxonomy, sorted.';

-- The category and all its descendants, sorted (what `?category=root` filters on).
CREATE FUNCTION category_subtree(root text) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE down(id) AS (
        SELECT root
        UNION
        SELECT c.id FROM categories c JOIN down ON c.parent_id = down.id
    )
    SELECT array_agg(id ORDER BY id) FROM down
$$;
COMMENT ON FUNCTION category_subtree(text) IS
    'The category id and the ids of all its descendants in the taxonomy, sorted.';

-- The stored cell sets an actor belongs to, and to which zoom each is stored. `ancestry` is
-- category_ancestry(categories), passed in so a bulk rebuild computes it once per distinct
-- category list.
CREATE FUNCTION map_cell_facets(kind text, country text, ancestry text[])
RETURNS TABLE (facet text, value text, max_zoom integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '', '', map_cells_max_zoom()
    UNION ALL
    SELECT 'kind', kind, map_cells_facet_max_zoom()
    UNION ALL
    SELECT 'country', country, map_cells_facet_max_zoom() WHERE country IS NOT NULL
    UNION ALL
    SELECT 'category', category, map_cells_facet_max_zoom() FROM unnest(ancestry) category
$$;
COMMENT ON FUNCTION map_cell_facets(text, text, text[]) IS
    'The (facet, value) cell sets an actor of this kind, country and category ancestry belongs to, with the deepest stored zoom of each.';

-- Whether an actor belongs to the cells of a facet value (the same rule as map_cell_facets).
CREATE FUNCTION map_cell_facet_matches(kind text, country text, categories text[], facet text, value text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE facet
        WHEN '' THEN true
        WHEN 'kind' THEN kind = value
        WHEN 'country' THEN country IS NOT DISTINCT FROM value
        WHEN 'category' THEN value = ANY (category_ancestry(categories))
        ELSE false
    END
$$;
COMMENT ON FUNCTION map_cell_facet_matches(text, text, text[], text, text) IS
    'Whether an actor of this kind, country and categories belongs to the stored cells of (facet, value).';

CREATE TABLE map_cells (
    facet text NOT NULL,
    value text NOT NULL,
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
    top_categories text NOT NULL DEFAULT '[]',
    single_id uuid,
    single_slug text,
    single_name text,
    single_kind text,
    single_categories text[],
    PRIMARY KEY (facet, value, zoom, cx, cy)
);
COMMENT ON TABLE map_cells IS
    'One row per non-empty cluster cell of the published actors (facet '''') or of one kind, country or category (with descendants); kept by triggers on actors.';
COMMENT ON COLUMN map_cells.facet IS '''''= all published actors (zooms 0 to map_cells_max_zoom()); ''kind'', ''country'' or ''category'' = only those with value (zooms 0 to map_cells_facet_max_zoom()).';
COMMENT ON COLUMN map_cells.value IS 'The kind, country code or category id of the facet ('''' for all actors).';
COMMENT ON COLUMN map_cells.zoom IS 'Map zoom of the grid.';
COMMENT ON COLUMN map_cells.cx IS 'Cell column, map_cell_x(longitude, zoom).';
COMMENT ON COLUMN map_cells.cy IS 'Cell row, map_cell_y(latitude, zoom).';
COMMENT ON COLUMN map_cells.actors IS 'How many of the facet''s published actors lie in the cell.';
COMMENT ON COLUMN map_cells.lon_sum IS 'Sum of their longitudes (exact numeric, so the mean does not depend on the order of writes).';
COMMENT ON COLUMN map_cells.lat_sum IS 'Sum of their latitudes (exact numeric).';
COMMENT ON COLUMN map_cells.west IS 'Smallest longitude of a member.';
COMMENT ON COLUMN map_cells.south IS 'Smallest latitude of a member.';
COMMENT ON COLUMN map_cells.east IS 'Largest longitude of a member.';
COMMENT ON COLUMN map_cells.north IS 'Largest latitude of a member.';
COMMENT ON COLUMN map_cells.top_categories IS 'JSON [[category, count], ...]: the five categories most members carry, most first, then by id (from map_cell_categories).';
COMMENT ON COLUMN map_cells.single_id IS 'The member''s id when the cell holds exactly one actor, else NULL.';
COMMENT ON COLUMN map_cells.single_slug IS 'The single member''s slug (NULL unless actors = 1).';
COMMENT ON COLUMN map_cells.single_name IS 'The single member''s name (NULL unless actors = 1).';
COMMENT ON COLUMN map_cells.single_kind IS 'The single member''s kind (NULL unless actors = 1).';
COMMENT ON COLUMN map_cells.single_categories IS 'The single member''s categories (NULL unless actors = 1).';

CREATE TABLE map_cell_categories (
    facet text NOT NULL,
    value text NOT NULL,
    zoom smallint NOT NULL,
    cx bigint NOT NULL,
    cy bigint NOT NULL,
    category text NOT NULL,
    actors bigint NOT NULL,
    PRIMARY KEY (facet, value, zoom, cx, cy, category)
);
COMMENT ON TABLE map_cell_categories IS
    'How many published actors of a map_cells cell carry each category (source of its top_categories); kept by triggers on actors.';
COMMENT ON COLUMN map_cell_categories.facet IS 'Facet of the cell (see map_cells).';
COMMENT ON COLUMN map_cell_categories.value IS 'Facet value of the cell (see map_cells).';
COMMENT ON COLUMN map_cell_categories.zoom IS 'Zoom of the cell (see map_cells).';
COMMENT ON COLUMN map_cell_categories.cx IS 'Cell column (see map_cells).';
COMMENT ON COLUMN map_cell_categories.cy IS 'Cell row (see map_cells).';
COMMENT ON COLUMN map_cell_categories.category IS 'Category id (as carried by the actors, not expanded).';
COMMENT ON COLUMN map_cell_categories.actors IS 'Members of the cell with this category (> 0).';

CREATE TYPE map_cell_member AS (
    id uuid, slug text, name text, kind text, country text,
    lon double precision, lat double precision, categories text[]
);
COMMENT ON TYPE map_cell_member IS
    'What the stored cells need of an actor: what places it, the sets it belongs to and what a one-actor cell shows (the unit of map_cells_apply).';

-- Applies actors that left (removed) and joined (added) the published set to the stored cells
-- of every set they belong to. Counts, sums and category counts take the difference; an
-- extent only grows on its own, so a cell whose extent was set by a member that left (and did
-- not come back at the same point) is measured again from its remaining members — found by
-- the GiST index within the old extent. Then the touched cells' top categories and single
-- member are set afresh (at most 84 category rows per cell; a one-actor cell's member is the
-- actor at its extent's corner). All writers of cells queue on one transaction lock: the
-- low-zoom cells are shared by every write anyway, and a single lock cannot deadlock.
CREATE FUNCTION map_cells_apply(removed map_cell_member[], added map_cell_member[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(removed) = 0 AND cardinality(added) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7001, 120);

    -- The (set, zoom, cell) of every member that left or came, kept for the statements below.
    IF to_regclass('pg_temp.map_cells_touched') IS NULL THEN
        CREATE TEMP TABLE map_cells_touched (
            facet text, value text, zoom smallint, cx bigint, cy bigint, lon float8, lat float8,
            sign integer, categories text[]
        ) ON COMMIT DELETE ROWS;
    END IF;
    TRUNCATE map_cells_touched;
    INSERT INTO map_cells_touched
    SELECT f.facet, f.value, z, map_cell_x(m.lon, z), map_cell_y(m.lat, z), m.lon, m.lat,
           m.sign, m.categories
    FROM (SELECT r.*, -1 AS sign FROM unnest(removed) r
          UNION ALL
          SELECT a.*, 1 FROM unnest(added) a) m,
         map_cell_facets(m.kind, m.country, category_ancestry(m.categories)) f,
         generate_series(0, f.max_zoom) z;

    INSERT INTO map_cells AS c (facet, value, zoom, cx, cy, actors, lon_sum, lat_sum,
                                west, south, east, north)
    SELECT facet, value, zoom, cx, cy,
           sum(t.sign), sum(t.sign * t.lon::numeric), sum(t.sign * t.lat::numeric),
           coalesce(min(t.lon) FILTER (WHERE t.sign > 0), 'Infinity'),
           coalesce(min(t.lat) FILTER (WHERE t.sign > 0), 'Infinity'),
           coalesce(max(t.lon) FILTER (WHERE t.sign > 0), '-Infinity'),
           coalesce(max(t.lat) FILTER (WHERE t.sign > 0), '-Infinity')
    FROM map_cells_touched t
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (facet, value, zoom, cx, cy) DO UPDATE SET
        actors = c.actors + excluded.actors,
        lon_sum = c.lon_sum + excluded.lon_sum,
        lat_sum = c.lat_sum + excluded.lat_sum,
        west = LEAST(c.west, excluded.west),
        south = LEAST(c.south, excluded.south),
        east = GREATEST(c.east, excluded.east),
        north = GREATEST(c.north, excluded.north);

    IF cardinality(removed) > 0 THEN
        DELETE FROM map_cells c
        USING (SELECT DISTINCT facet, value, zoom, cx, cy FROM map_cells_touched WHERE sign < 0) t
        WHERE (c.facet, c.value, c.zoom, c.cx, c.cy) = (t.facet, t.value, t.zoom, t.cx, t.cy)
          AND c.actors <= 0;

        UPDATE map_cells c
        SET west = e.west, south = e.south, east = e.east, north = e.north
        FROM (SELECT DISTINCT c.facet, c.value, c.zoom, c.cx, c.cy
              FROM map_cells_touched r, map_cells c
              WHERE r.sign < 0
                AND (c.facet, c.value, c.zoom, c.cx, c.cy) = (r.facet, r.value, r.zoom, r.cx, r.cy)
                AND (r.lon IN (c.west, c.east) OR r.lat IN (c.south, c.north))
                AND NOT EXISTS (SELECT 1 FROM map_cells_touched a
                                WHERE a.sign > 0 AND a.lon = r.lon AND a.lat = r.lat
                                  AND (a.facet, a.value, a.zoom) = (r.facet, r.value, r.zoom))) t,
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
                   AND map_cell_facet_matches(a.kind, a.country, a.categories, old.facet, old.value)
             ) e
        WHERE (old.facet, old.value, old.zoom, old.cx, old.cy) = (t.facet, t.value, t.zoom, t.cx, t.cy)
          AND (c.facet, c.value, c.zoom, c.cx, c.cy) = (t.facet, t.value, t.zoom, t.cx, t.cy)
          AND e.west IS NOT NULL;
    END IF;

    INSERT INTO map_cell_categories AS c (facet, value, zoom, cx, cy, category, actors)
    SELECT t.facet, t.value, t.zoom, t.cx, t.cy, category, sum(t.sign)
    FROM map_cells_touched t, unnest(t.categories) category
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (facet, value, zoom, cx, cy, category) DO UPDATE SET actors = c.actors + excluded.actors;

    IF cardinality(removed) > 0 THEN
        DELETE FROM map_cell_categories c
        USING (SELECT DISTINCT facet, value, zoom, cx, cy FROM map_cells_touched WHERE sign < 0) t
        WHERE (c.facet, c.value, c.zoom, c.cx, c.cy) = (t.facet, t.value, t.zoom, t.cx, t.cy)
          AND c.actors <= 0;
    END IF;

    -- What a touched cell shows: its top categories and, if it holds one actor, that actor.
    UPDATE map_cells c
    SET top_categories = (
            SELECT coalesce(json_agg(json_build_array(k.category, k.actors)
                                     ORDER BY k.actors DESC, k.category)::text, '[]')
            FROM (SELECT category, actors FROM map_cell_categories k
                  WHERE (k.facet, k.value, k.zoom, k.cx, k.cy) = (c.facet, c.value, c.zoom, c.cx, c.cy)
                  ORDER BY actors DESC, category
                  LIMIT 5) k),
        (single_id, single_slug, single_name, single_kind, single_categories) = (
            -- Index: actors_published_geom (GiST); a one-actor cell's extent is its point.
            SELECT a.id, a.slug, a.name, a.kind, a.categories
            FROM actors a
            WHERE c.actors = 1 AND a.status = 'published'
              AND a.geom && ST_MakeEnvelope(c.west, c.south, c.east, c.north, 4326)
              AND ST_X(a.geom) = c.west AND ST_Y(a.geom) = c.south
              AND map_cell_facet_matches(a.kind, a.country, a.categories, c.facet, c.value)
            ORDER BY a.id
            LIMIT 1)
    FROM (SELECT DISTINCT facet, value, zoom, cx, cy FROM map_cells_touched) t
    WHERE (c.facet, c.value, c.zoom, c.cx, c.cy) = (t.facet, t.value, t.zoom, t.cx, t.cy);
END
$$;
COMMENT ON FUNCTION map_cells_apply(map_cell_member[], map_cell_member[]) IS
    'Moves published actors out of (removed) and into (added) the stored cluster cells of every set they belong to; called by the triggers on actors.';

-- Statement triggers with transition tables: a bulk load of a million actors is one call.
-- An UPDATE that changes nothing a cell holds (position, categories, kind, country, slug,
-- name, publication) cancels out (EXCEPT ALL) and touches no cell.
CREATE OR REPLACE FUNCTION map_cells_follow_actors() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM map_cells_apply('{}',
            ARRAY(SELECT (n.id, n.slug, n.name, n.kind, n.country, ST_X(n.geom), ST_Y(n.geom),
                          n.categories)::map_cell_member
                  FROM new_actors n WHERE n.status = 'published'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM map_cells_apply(
            ARRAY(SELECT (o.id, o.slug, o.name, o.kind, o.country, ST_X(o.geom), ST_Y(o.geom),
                          o.categories)::map_cell_member
                  FROM old_actors o WHERE o.status = 'published'),
            '{}');
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM map_cells_apply(
            ARRAY(SELECT m::map_cell_member FROM (
                      SELECT o.id, o.slug, o.name, o.kind, o.country, ST_X(o.geom), ST_Y(o.geom),
                             o.categories
                      FROM old_actors o WHERE o.status = 'published'
                      EXCEPT ALL
                      SELECT n.id, n.slug, n.name, n.kind, n.country, ST_X(n.geom), ST_Y(n.geom),
                             n.categories
                      FROM new_actors n WHERE n.status = 'published') m),
            ARRAY(SELECT m::map_cell_member FROM (
                      SELECT n.id, n.slug, n.name, n.kind, n.country, ST_X(n.geom), ST_Y(n.geom),
                             n.categories
                      FROM new_actors n WHERE n.status = 'published'
                      EXCEPT ALL
                      SELECT o.id, o.slug, o.name, o.kind, o.country, ST_X(o.geom), ST_Y(o.geom),
                             o.categories
                      FROM old_actors o WHERE o.status = 'published') m));
    ELSIF TG_OP = 'TRUNCATE' THEN
        TRUNCATE map_cells, map_cell_categories;
    END IF;
    RETURN NULL;
END
$$;

-- Builds the stored cells afresh from the published actors: for the actors already there, and
-- after a load that bypassed the triggers (e.g. `SET session_replication_role = replica`) or a
-- change of the taxonomy's parents. Each set's deepest zoom is grouped from the actors (category
-- ancestries once per distinct category list); every shallower zoom is summed from the zoom
-- below, since a cell at zoom z - 1 is exactly the 2×2 cells (cx >> 1, cy >> 1) of zoom z
-- (map_cell_x/y divide by a power of two, which floating point does exactly). Far quicker for
-- millions of actors than grouping every actor at every zoom or applying them as changes.
CREATE OR REPLACE FUNCTION map_cells_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7001, 120);
    TRUNCATE map_cells, map_cell_categories;
    CREATE TEMP TABLE map_cells_members ON COMMIT DROP AS
    WITH lists AS (
        SELECT categories, category_ancestry(categories) AS ancestry
        FROM (SELECT DISTINCT categories FROM actors WHERE status = 'published') d
    )
    SELECT f.facet, f.value, f.max_zoom::smallint AS zoom, map_cell_x(p.lon, f.max_zoom) AS cx,
           map_cell_y(p.lat, f.max_zoom) AS cy, p.id, p.slug, p.name, p.kind, p.lon, p.lat,
           p.categories
    FROM (SELECT id, slug, name, kind, country, ST_X(geom) AS lon, ST_Y(geom) AS lat, categories
          FROM actors WHERE status = 'published') p
         JOIN lists USING (categories),
         map_cell_facets(p.kind, p.country, lists.ancestry) f;

    INSERT INTO map_cell_categories (facet, value, zoom, cx, cy, category, actors)
    SELECT facet, value, zoom, cx, cy, category, count(*)
    FROM map_cells_members, unnest(categories) category
    GROUP BY 1, 2, 3, 4, 5, 6;

    -- The cells are grouped in a temporary table first and written once, with their top
    -- categories (no second version of every row).
    CREATE TEMP TABLE map_cells_built ON COMMIT DROP AS
    SELECT facet, value, zoom, cx, cy, count(*) AS actors, sum(lon::numeric) AS lon_sum,
           sum(lat::numeric) AS lat_sum, min(lon) AS west, min(lat) AS south,
           max(lon) AS east, max(lat) AS north,
           CASE WHEN count(*) = 1 THEN min(id::text)::uuid END AS single_id,
           CASE WHEN count(*) = 1 THEN min(slug) END AS single_slug,
           CASE WHEN count(*) = 1 THEN min(name) END AS single_name,
           CASE WHEN count(*) = 1 THEN min(kind) END AS single_kind,
           CASE WHEN count(*) = 1 THEN min(categories) END AS single_categories
    FROM map_cells_members
    GROUP BY 1, 2, 3, 4, 5;
    DROP TABLE map_cells_members;

    FOR z IN REVERSE map_cells_max_zoom() .. 1 LOOP
        INSERT INTO map_cell_categories (facet, value, zoom, cx, cy, category, actors)
        SELECT facet, value, z - 1, cx >> 1, cy >> 1, category, sum(actors)
        FROM map_cell_categories WHERE zoom = z
        GROUP BY 1, 2, 3, 4, 5, 6;

        INSERT INTO map_cells_built
        SELECT facet, value, z - 1, cx >> 1, cy >> 1, sum(actors), sum(lon_sum), sum(lat_sum),
               min(west), min(south), max(east), max(north),
               CASE WHEN sum(actors) = 1 THEN min(single_id::text)::uuid END,
               CASE WHEN sum(actors) = 1 THEN min(single_slug) END,
               CASE WHEN sum(actors) = 1 THEN min(single_name) END,
               CASE WHEN sum(actors) = 1 THEN min(single_kind) END,
               CASE WHEN sum(actors) = 1 THEN min(single_categories) END
        FROM map_cells_built WHERE zoom = z
        GROUP BY 1, 2, 3, 4, 5;
    END LOOP;

    INSERT INTO map_cells (facet, value, zoom, cx, cy, actors, lon_sum, lat_sum,
                           west, south, east, north, top_categories,
                           single_id, single_slug, single_name, single_kind, single_categories)
    SELECT b.facet, b.value, b.zoom, b.cx, b.cy, b.actors, b.lon_sum, b.lat_sum,
           b.west, b.south, b.east, b.north, coalesce(t.top, '[]'),
           b.single_id, b.single_slug, b.single_name, b.single_kind, b.single_categories
    FROM map_cells_built b
    LEFT JOIN (
        SELECT facet, value, zoom, cx, cy,
               json_agg(json_build_array(category, actors) ORDER BY actors DESC, category)::text AS top
        FROM (SELECT k.*, row_number() OVER (PARTITION BY facet, value, zoom, cx, cy
                                             ORDER BY actors DESC, category) AS rank
              FROM map_cell_categories k) ranked
        WHERE rank <= 5
        GROUP BY 1, 2, 3, 4, 5
    ) t USING (facet, value, zoom, cx, cy);
    DROP TABLE map_cells_built;
    ANALYZE map_cells;
    ANALYZE map_cell_categories;
END
$$;

SELECT map_cells_rebuild();
