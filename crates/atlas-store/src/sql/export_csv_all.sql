-- The whole published dataset's CSV lines, formatted when each actor was written (migration
-- 000130). Index scan of the primary key: the rebuild writes the table in id order, so the
-- scan reads it front to back.
SELECT e.csv_fixed, e.csv_texts
FROM actor_export_rows e
ORDER BY e.actor_id
