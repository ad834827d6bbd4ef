-- A town by a misspelt name: trigram similarity (the `%` operator, pg_trgm's threshold 0.3,
-- uses gazetteer_names_folded_trgm), best match first, then the most populous.
SELECT p.geonameid, p.name, p.country, ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon,
       'fuzzy' AS matched
FROM gazetteer_names n
JOIN gazetteer_places p USING (geonameid)
WHERE n.folded % lower(unaccent($1))
  AND ($2::text IS NULL OR p.country = $2)
ORDER BY similarity(n.folded, lower(unaccent($1))) DESC, p.population DESC, p.geonameid
LIMIT 1
