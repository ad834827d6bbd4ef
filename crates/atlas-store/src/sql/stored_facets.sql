-- Facet counts of a view from the stored map cells (search.rs, stored_facets_sql): every set
-- of map_cells summed over the view's whole cells (the stored cells placeholder: blocks of
-- cells of zooms 0 to the deepest stored facet zoom, each cell in one block; facet '' is the
-- total), plus facets.sql over the view's actors outside those cells (the live facets
-- placeholder). The same rows as facets.sql gives.
SELECT facet, value, sum(count)::int8 AS count
FROM (
    ({live_facets})
    UNION ALL
    SELECT CASE WHEN c.facet = '' THEN 'total' ELSE c.facet END, c.value, sum(c.actors)
    FROM map_cells c
    -- Stated so that the partial index map_cells_by_place applies.
    WHERE c.zoom <= {max_zoom} AND {stored_cells}
    GROUP BY 1, 2
) f
GROUP BY facet, value
