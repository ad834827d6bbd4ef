-- A town by name, exactly as written or ignoring case and accents (uses gazetteer_names_folded),
-- in the claimed country when there is one; the same name in several places goes to the
-- most populous.
SELECT p.geonameid, p.name, p.country, ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon,
       CASE WHEN n.name = $1 THEN 'exact' ELSE 'accent_insensitive' END AS matched
FROM gazetteer_names n
JOIN gazetteer_places p USING (geonameid)
WHERE n.folded = lower(unaccent($1))
  AND ($2::text IS NULL OR p.country = $2)
ORDER BY (n.name = $1) DESC, p.population DESC, p.geonameid
LIMIT 1
