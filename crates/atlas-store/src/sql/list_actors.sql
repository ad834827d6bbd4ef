-- A page of published actors. FROM, filters, keyset condition and order are appended by
-- actors.rs; every read index on actors is partial on status = 'published':
--   bbox   -> actors_published_geom   (geom && envelope)
--   near   -> actors_published_geog   (ST_DWithin on geom::geography)
--   q      -> actors_published_search_doc (search_doc @@ tsquery, GIN)
--   name   -> actors_published_sort_name (sort_name, id)
--   updated-> actors_published_updated  (updated_at DESC, id DESC)
SELECT {columns}, a.sort_name, {distance} AS distance_km, {search_columns}
