-- The CSV lines of the published actors that match the filters (appended by exports.rs with
-- ORDER BY a.id). The filters use the same indexes as the list (GiST on geom, GIN on arrays);
-- each match is joined to its line by primary key.
SELECT e.csv_fixed, e.csv_texts
FROM actors a
JOIN actor_export_rows e ON e.actor_id = a.id
WHERE a.status = 'published'
