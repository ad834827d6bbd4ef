-- Published actors a proposal may duplicate: the same website host (actors_published_website_host),
-- or a similar name within 1 km (actors_published_geog narrows to the radius first).
-- $1 website (nullable), $2 folded name, $3 lon, $4 lat (both nullable), $5 actor to leave out.
SELECT a.id, a.slug, a.name, 'same_website' AS reason, NULL::float8 AS distance_km
FROM actors a
WHERE a.status = 'published'
  AND $1::text IS NOT NULL
  AND website_host(a.website) = website_host($1)
  AND a.id IS DISTINCT FROM $5
UNION
SELECT a.id, a.slug, a.name, 'similar_name_nearby' AS reason,
       ST_Distance(a.geom::geography, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography) / 1000.0 AS distance_km
FROM actors a
WHERE a.status = 'published'
  AND $3::float8 IS NOT NULL AND $4::float8 IS NOT NULL
  AND ST_DWithin(a.geom::geography, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, 1000)
  AND similarity(a.sort_name, $2) >= 0.4
  AND a.id IS DISTINCT FROM $5
ORDER BY reason DESC, distance_km NULLS FIRST, name
LIMIT 20
