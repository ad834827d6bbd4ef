-- Back to 000160: no language cells, no index by place (the definitions below are 000160's).
DROP INDEX map_cells_by_place;

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
-- `value_subtree` is category_subtree(value) for a category facet, computed once by the caller
-- per cell rather than an ancestry per actor looked at.
CREATE FUNCTION map_cell_facet_matches(kind text, country text, categories text[], facet text,
                                       value text, value_subtree text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE facet
        WHEN '' THEN true
        WHEN 'kind' THEN kind = value
        WHEN 'country' THEN country IS NOT DISTINCT FROM value
        WHEN 'category' THEN categories && value_subtree
        ELSE false
    END
$$;
COMMENT ON FUNCTION map_cell_facet_matches(text, text, text[], text, text, text[]) IS
    'Whether an actor of this kind, country and categories belongs to the stored cells of (facet, value); value_subtree = category_subtree(value) for a category facet.';


CREATE OR REPLACE FUNCTION map_cells_apply(removed map_cell_member[], added map_cell_member[]) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    recounted map_cell_key[];
    emptied map_cell_category_key[];
    shrunk map_cell_key[];
    lone map_cell_key[];
    shrunk_zoom integer;
BEGIN
    IF cardinality(removed) = 0 AND cardinality(added) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7001, 120);

    -- 1. Category counts. Index: map_cell_categories_pkey, one probe per changed pair.
    WITH member AS (
        SELECT r.*, -1 AS sign FROM unnest(removed) r
        UNION ALL
        SELECT a.*, 1 FROM unnest(added) a
    ), counted AS (
        INSERT INTO map_cell_categories AS c (facet, value, zoom, cx, cy, category, actors)
        SELECT f.facet, f.value, z, map_cell_x(m.lon, z), map_cell_y(m.lat, z), category,
               sum(m.sign)
        FROM member m
             CROSS JOIN LATERAL map_cell_facets(m.kind, m.country, m.ancestry) f
             CROSS JOIN LATERAL unnest(map_cell_zooms()) z
             CROSS JOIN LATERAL unnest(m.categories) category
        WHERE z <= f.max_zoom
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(m.sign) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (facet, value, zoom, cx, cy, category)
        DO UPDATE SET actors = c.actors + excluded.actors
        RETURNING c.facet, c.value, c.zoom, c.cx, c.cy, c.category, c.actors
    )
    SELECT array_agg(DISTINCT (facet, value, zoom, cx, cy)::map_cell_key),
           array_agg((facet, value, zoom, cx, cy, category)::map_cell_category_key)
               FILTER (WHERE actors <= 0)
    INTO recounted, emptied
    FROM counted;

    IF emptied IS NOT NULL THEN
        DELETE FROM map_cell_categories c
        USING unnest(emptied) e
        WHERE (c.facet, c.value, c.zoom, c.cx, c.cy, c.category)
              = (e.facet, e.value, e.zoom, e.cx, e.cy, e.category)
          AND c.actors <= 0;
    END IF;

    -- 2. The cells: each read once (its old row) and written once. Index: map_cells_pkey.
    WITH member AS (
        SELECT r.*, -1 AS sign FROM unnest(removed) r
        UNION ALL
        SELECT a.*, 1 FROM unnest(added) a
    ), touch AS MATERIALIZED (
        SELECT f.facet, f.value, z::smallint AS zoom, map_cell_x(m.lon, z) AS cx,
               map_cell_y(m.lat, z) AS cy, m.sign, m.id, m.slug, m.name, m.kind, m.lon, m.lat,
               m.categories
        FROM member m
             CROSS JOIN LATERAL map_cell_facets(m.kind, m.country, m.ancestry) f
             CROSS JOIN LATERAL unnest(map_cell_zooms()) z
        WHERE z <= f.max_zoom
    ), delta AS (
        -- With one member joining a cell, the FILTERed min() are all that member's values.
        SELECT facet, value, zoom, cx, cy,
               sum(sign) AS actors, sum(sign * lon::numeric) AS lon_sum,
               sum(sign * lat::numeric) AS lat_sum,
               min(lon) FILTER (WHERE sign > 0) AS west, min(lat) FILTER (WHERE sign > 0) AS south,
               max(lon) FILTER (WHERE sign > 0) AS east, max(lat) FILTER (WHERE sign > 0) AS north,
               count(*) FILTER (WHERE sign > 0) AS joined,
               min(id::text) FILTER (WHERE sign > 0) AS joined_id,
               min(slug) FILTER (WHERE sign > 0) AS joined_slug,
               min(name) FILTER (WHERE sign > 0) AS joined_name,
               min(kind) FILTER (WHERE sign > 0) AS joined_kind,
               min(categories) FILTER (WHERE sign > 0) AS joined_categories
        FROM touch
        GROUP BY 1, 2, 3, 4, 5
    ), left_point AS (
        -- Points where a cell has fewer members than before (not a rename in place).
        SELECT facet, value, zoom, cx, cy, lon, lat
        FROM touch
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(sign) < 0
    ), on_edge AS (
        SELECT DISTINCT p.facet, p.value, p.zoom, p.cx, p.cy
        FROM left_point p
        JOIN map_cells o ON (o.facet, o.value, o.zoom, o.cx, o.cy) = (p.facet, p.value, p.zoom, p.cx, p.cy)
        WHERE p.lon IN (o.west, o.east) OR p.lat IN (o.south, o.north)
    ), new_top AS MATERIALIZED (
        -- The top five of each cell whose category counts changed. Index:
        -- map_cell_categories_ranked, its first five entries for the cell.
        SELECT r.facet, r.value, r.zoom, r.cx, r.cy,
               (SELECT coalesce(json_agg(json_build_array(k.category, k.actors)
                                         ORDER BY k.actors DESC, k.category)::text, '[]')
                FROM (SELECT category, actors FROM map_cell_categories k
                      WHERE (k.facet, k.value, k.zoom, k.cx, k.cy)
                            = (r.facet, r.value, r.zoom, r.cx, r.cy)
                      ORDER BY actors DESC, category
                      LIMIT 5) k) AS top_categories
        FROM unnest(recounted) r
    ), cell AS MATERIALIZED (
        SELECT d.facet, d.value, d.zoom, d.cx, d.cy, d.joined,
               coalesce(o.actors, 0) + d.actors AS actors,
               coalesce(o.lon_sum, 0) + d.lon_sum AS lon_sum,
               coalesce(o.lat_sum, 0) + d.lat_sum AS lat_sum,
               -- LEAST/GREATEST skip NULLs: a new cell takes the joined extent, a cell nobody
               -- joined keeps its own (shrunk below if a member on its edge left).
               LEAST(o.west, d.west) AS west, LEAST(o.south, d.south) AS south,
               GREATEST(o.east, d.east) AS east, GREATEST(o.north, d.north) AS north,
               CASE WHEN r.facet IS NULL THEN o.top_categories ELSE r.top_categories END
                   AS top_categories,
               e.facet IS NOT NULL AS shrinks,
               d.joined_id, d.joined_slug, d.joined_name, d.joined_kind, d.joined_categories,
               o AS old
        FROM delta d
        LEFT JOIN map_cells o
               ON (o.facet, o.value, o.zoom, o.cx, o.cy) = (d.facet, d.value, d.zoom, d.cx, d.cy)
        LEFT JOIN new_top r
               ON (r.facet, r.value, r.zoom, r.cx, r.cy) = (d.facet, d.value, d.zoom, d.cx, d.cy)
        LEFT JOIN on_edge e
               ON (e.facet, e.value, e.zoom, e.cx, e.cy) = (d.facet, d.value, d.zoom, d.cx, d.cy)
    ), emptied_cell AS (
        DELETE FROM map_cells c
        USING cell
        WHERE (c.facet, c.value, c.zoom, c.cx, c.cy) = (cell.facet, cell.value, cell.zoom, cell.cx, cell.cy)
          AND cell.actors <= 0
    ), written AS (
        INSERT INTO map_cells AS c (facet, value, zoom, cx, cy, actors, lon_sum, lat_sum,
                                    west, south, east, north, top_categories,
                                    single_id, single_slug, single_name, single_kind,
                                    single_categories)
        SELECT facet, value, zoom, cx, cy, actors, lon_sum, lat_sum, west, south, east, north,
               coalesce(top_categories, '[]'),
               -- A cell left with one actor that just joined shows it; one left with one
               -- actor that was already there gets it in step 3; any other cell shows none.
               CASE WHEN actors = 1 AND joined = 1 THEN joined_id::uuid END,
               CASE WHEN actors = 1 AND joined = 1 THEN joined_slug END,
               CASE WHEN actors = 1 AND joined = 1 THEN joined_name END,
               CASE WHEN actors = 1 AND joined = 1 THEN joined_kind END,
               CASE WHEN actors = 1 AND joined = 1 THEN joined_categories END
        FROM cell
        WHERE actors > 0
          -- A cell whose row would not change (a rename where the cell holds more than one
          -- actor) is not written again.
          AND (old IS NULL
               OR (actors, lon_sum, lat_sum, west, south, east, north, top_categories,
                   CASE WHEN actors = 1 AND joined = 1 THEN joined_id::uuid END,
                   CASE WHEN actors = 1 AND joined = 1 THEN joined_slug END,
                   CASE WHEN actors = 1 AND joined = 1 THEN joined_name END,
                   CASE WHEN actors = 1 AND joined = 1 THEN joined_kind END,
                   CASE WHEN actors = 1 AND joined = 1 THEN joined_categories END)
                  IS DISTINCT FROM
                  ((old).actors, (old).lon_sum, (old).lat_sum, (old).west, (old).south,
                   (old).east, (old).north, (old).top_categories, (old).single_id,
                   (old).single_slug, (old).single_name, (old).single_kind,
                   (old).single_categories))
        ORDER BY facet, value, zoom, cx, cy
        ON CONFLICT (facet, value, zoom, cx, cy) DO UPDATE SET
            actors = excluded.actors, lon_sum = excluded.lon_sum, lat_sum = excluded.lat_sum,
            west = excluded.west, south = excluded.south, east = excluded.east,
            north = excluded.north, top_categories = excluded.top_categories,
            single_id = excluded.single_id, single_slug = excluded.single_slug,
            single_name = excluded.single_name, single_kind = excluded.single_kind,
            single_categories = excluded.single_categories
    )
    SELECT array_agg((facet, value, zoom, cx, cy)::map_cell_key)
               FILTER (WHERE shrinks AND actors > 0),
           array_agg((facet, value, zoom, cx, cy)::map_cell_key)
               FILTER (WHERE actors = 1 AND joined = 0)
    INTO shrunk, lone
    FROM cell;

    -- 3a. Extents that lost a member on their edge, deepest zoom first.
    IF shrunk IS NOT NULL THEN
        FOR shrunk_zoom IN SELECT DISTINCT s.zoom FROM unnest(shrunk) s ORDER BY s.zoom DESC LOOP
            -- At the set's deepest stored zoom: from its actors. Index: actors_published_geom
            -- (GiST), within the cell's extent (which still holds every remaining member).
            UPDATE map_cells c
            SET west = e.west, south = e.south, east = e.east, north = e.north
            FROM unnest(shrunk) s,
                 -- OFFSET 0: the subtree once per cell, not folded into the filter per actor.
                 LATERAL (SELECT CASE WHEN s.facet = 'category' THEN category_subtree(s.value)
                                 END AS subtree
                          OFFSET 0) t,
                 map_cells o,
                 LATERAL (
                     SELECT min(ST_X(a.geom)) AS west, min(ST_Y(a.geom)) AS south,
                            max(ST_X(a.geom)) AS east, max(ST_Y(a.geom)) AS north
                     FROM actors a
                     WHERE a.status = 'published'
                       AND a.geom && ST_MakeEnvelope(o.west, o.south, o.east, o.north, 4326)
                       AND map_cell_x(ST_X(a.geom), o.zoom) = o.cx
                       AND map_cell_y(ST_Y(a.geom), o.zoom) = o.cy
                       AND map_cell_facet_matches(a.kind, a.country, a.categories, o.facet,
                                                  o.value, t.subtree)
                 ) e
            WHERE s.zoom = shrunk_zoom
              AND s.zoom = CASE WHEN s.facet = '' THEN map_cells_max_zoom()
                                ELSE map_cells_facet_max_zoom() END
              AND (o.facet, o.value, o.zoom, o.cx, o.cy) = (s.facet, s.value, s.zoom, s.cx, s.cy)
              AND (c.facet, c.value, c.zoom, c.cx, c.cy) = (s.facet, s.value, s.zoom, s.cx, s.cy)
              AND e.west IS NOT NULL;

            -- Above it: the union of the 2×2 cells one zoom deeper (already measured).
            UPDATE map_cells c
            SET west = k.west, south = k.south, east = k.east, north = k.north
            FROM unnest(shrunk) s,
                 LATERAL (
                     -- Index: map_cells_pkey, the two columns cx = 2·cx, 2·cx + 1 at zoom + 1.
                     SELECT min(k.west) AS west, min(k.south) AS south,
                            max(k.east) AS east, max(k.north) AS north
                     FROM map_cells k
                     WHERE (k.facet, k.value, k.zoom) = (s.facet, s.value, s.zoom + 1)
                       AND k.cx BETWEEN s.cx * 2 AND s.cx * 2 + 1
                       AND k.cy BETWEEN s.cy * 2 AND s.cy * 2 + 1
                 ) k
            WHERE s.zoom = shrunk_zoom
              AND s.zoom < CASE WHEN s.facet = '' THEN map_cells_max_zoom()
                                ELSE map_cells_facet_max_zoom() END
              AND (c.facet, c.value, c.zoom, c.cx, c.cy) = (s.facet, s.value, s.zoom, s.cx, s.cy)
              AND k.west IS NOT NULL;
        END LOOP;
    END IF;

    -- 3b. Cells left with one actor that was already there: that actor, at the cell's extent
    -- (now its point). Index: actors_published_geom (GiST).
    IF lone IS NOT NULL THEN
        UPDATE map_cells c
        SET (single_id, single_slug, single_name, single_kind, single_categories) = (
                SELECT a.id, a.slug, a.name, a.kind, a.categories
                FROM actors a
                WHERE a.status = 'published'
                  AND a.geom && ST_MakeEnvelope(c.west, c.south, c.east, c.north, 4326)
                  AND ST_X(a.geom) = c.west AND ST_Y(a.geom) = c.south
                  AND map_cell_facet_matches(a.kind, a.country, a.categories, c.facet, c.value,
                                             CASE WHEN c.facet = 'category'
                                                  THEN category_subtree(c.value) END)
                ORDER BY a.id
                LIMIT 1)
        FROM unnest(lone) s
        WHERE (c.facet, c.value, c.zoom, c.cx, c.cy) = (s.facet, s.value, s.zoom, s.cx, s.cy)
          AND c.actors = 1;
    END IF;
END
$$;
COMMENT ON FUNCTION map_cells_apply(map_cell_member[], map_cell_member[]) IS
    'Moves published actors out of (removed) and into (added) the stored cluster cells of every set they belong to; called by the triggers on actors.';


-- Statement triggers with transition tables: a bulk load of a million actors is one call.
-- An UPDATE that changes nothing a cell holds (position, categories, kind, country, slug,
-- name, publication) cancels out (EXCEPT ALL) and touches no cell. Category ancestries are
-- looked up once per actor that moves in or out.
CREATE OR REPLACE FUNCTION map_cells_follow_actors() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM map_cells_apply('{}',
            ARRAY(SELECT (n.id, n.slug, n.name, n.kind, n.country, ST_X(n.geom), ST_Y(n.geom),
                          n.categories, category_ancestry(n.categories))::map_cell_member
                  FROM new_actors n WHERE n.status = 'published'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM map_cells_apply(
            ARRAY(SELECT (o.id, o.slug, o.name, o.kind, o.country, ST_X(o.geom), ST_Y(o.geom),
                          o.categories, category_ancestry(o.categories))::map_cell_member
                  FROM old_actors o WHERE o.status = 'published'),
            '{}');
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM map_cells_apply(
            ARRAY(SELECT (m.*, category_ancestry(m.categories))::map_cell_member FROM (
                      SELECT o.id, o.slug, o.name, o.kind, o.country, ST_X(o.geom), ST_Y(o.geom),
                             o.categories
                      FROM old_actors o WHERE o.status = 'published'
                      EXCEPT ALL
                      SELECT n.id, n.slug, n.name, n.kind, n.country, ST_X(n.geom), ST_Y(n.geom),
                             n.categories
                      FROM new_actors n WHERE n.status = 'published') m),
            ARRAY(SELECT (m.*, category_ancestry(m.categories))::map_cell_member FROM (
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

DROP FUNCTION map_cell_facet_matches(text, text, text[], text[], text, text, text[]);
DROP FUNCTION map_cell_facets(text, text, text[], text[]);
ALTER TYPE map_cell_member DROP ATTRIBUTE languages;
COMMENT ON TYPE map_cell_member IS
    'What the stored cells need of an actor: what places it, the sets it belongs to (ancestry = category_ancestry(categories), computed once per actor) and what a one-actor cell shows (the unit of map_cells_apply).';
COMMENT ON TABLE map_cells IS
    'One row per non-empty cluster cell of the published actors (facet '''') or of one kind, country or category (with descendants); kept by triggers on actors.';
COMMENT ON COLUMN map_cells.facet IS '''''= all published actors (zooms 0 to map_cells_max_zoom()); ''kind'', ''country'' or ''category'' = only those with value (zooms 0 to map_cells_facet_max_zoom()).';
COMMENT ON COLUMN map_cells.value IS 'The kind, country code or category id of the facet ('''' for all actors).';

SELECT map_cells_rebuild();
