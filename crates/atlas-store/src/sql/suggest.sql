-- Autocomplete: actor names, cities and category labels close to what was typed ($1), in the
-- reader's language ($2, then English). A name or town that contains the text as typed, or
-- whose words are close to it (trigram word similarity >= pg_trgm.word_similarity_threshold,
-- 0.6: one or two typos), is a candidate; one that starts with the text ranks first. Text of
-- one or two letters has no trigram of its own to look up "inside" a word, so it finds the
-- names it begins, then those with a word it begins (names, below). Names and towns are
-- found through indexes (actors_published_sort_name, actors_published_search_names,
-- actors_published_town_trigrams): each condition says atlas_normalise($1) itself rather than
-- reading it from a CTE, so that the plan is made for the text and can use them. A category
-- is suggested by its label in the reader's language, or in another (shown in that one). A town
-- typed in another language or script suggests the name its actors give it ("Vienna": Wien,
-- atlas_town_aliases). A category's count is its stored map cell of zoom 0 (the whole
-- world; migration 000160): the actors with the category or a descendant. A town of the
-- gazetteer (10,000 people or more) that no actor gives as its town is a place suggestion
-- (at most 3, from 3 letters), ranked below the names, cities and categories that begin with
-- the text: a map can go there ("Geneva") though search finds no actor.
-- A country whose name (in any language search knows, search_country_names) begins with the
-- text, from 3 letters, is a country suggestion (at most 3), with the count, middle and
-- extent of its actors from the stored map cells of zoom 0.
-- With the map's view (each in_view placeholder: the actor's point is in it; `true` without
-- one), actors and cities are suggested from inside it, and a town none of whose actors is in
-- it is a place (somewhere to take the map). Categories, places and countries are suggested
-- wherever they are; the store counts a category's actors in the view (Store::suggest).
-- Every suggestion but a category has a point for the map (lon, lat: the actor, the middle
-- of a city's or country's actors, the place); a city and a country also the extent of
-- their actors.
-- Names the text begins come first (their score is 2 or more, any other name's less): the
-- first 200 in alphabetical order, read in that order from the sort_name index, ranked. Only
-- when they are fewer than asked for are the others looked for. Scoring every candidate
-- took 350 ms at 100k actors for "co" (a third of the names have a word beginning so),
-- 85 ms for "coop" (10,000 names contain it).
WITH begun_names AS (
    SELECT 'actor' AS kind, a.id::text AS id, a.name AS label, a.country, NULL::int8 AS count,
           (2 + word_similarity(atlas_normalise($1), a.search_names))::float8 AS score,
           ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat, NULL::box2d AS extent
    FROM (SELECT * FROM actors a
          WHERE a.status = 'published' AND length(atlas_normalise($1)) >= 1 AND {in_view}
            AND a.sort_name >= atlas_normalise($1)
            AND a.sort_name < atlas_normalise($1) || chr(1114111)
          ORDER BY a.sort_name, a.id
          LIMIT 200) AS a
    ORDER BY score DESC, a.sort_name
    LIMIT $3
),
names AS (
    SELECT * FROM begun_names
    UNION ALL
    -- From 3 letters, names containing the text or close to it (trigram index).
    (SELECT 'actor' AS kind, a.id::text AS id, a.name AS label, a.country, NULL::int8 AS count,
            (CASE WHEN starts_with(a.search_names, atlas_normalise($1)) THEN 2
                  WHEN position(atlas_normalise($1) IN a.search_names) > 0 THEN 1 ELSE 0 END
             + word_similarity(atlas_normalise($1), a.search_names))::float8 AS score,
            ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat, NULL::box2d AS extent
     FROM actors a
     WHERE a.status = 'published' AND length(atlas_normalise($1)) >= 3 AND {in_view}
       AND (SELECT count(*) FROM begun_names) < $3
       AND (a.search_names LIKE atlas_contains_pattern(atlas_normalise($1))
            OR atlas_normalise($1) <% a.search_names)
       AND a.id::text NOT IN (SELECT b.id FROM begun_names b)
     ORDER BY score DESC, a.sort_name
     LIMIT $3)
    UNION ALL
    -- Text of one or two letters has no trigram of its own to look up inside a word: names
    -- with a later word it begins.
    (SELECT 'actor' AS kind, a.id::text AS id, a.name AS label, a.country, NULL::int8 AS count,
            word_similarity(atlas_normalise($1), a.search_names)::float8 AS score,
            ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat, NULL::box2d AS extent
     FROM actors a
     WHERE a.status = 'published' AND length(atlas_normalise($1)) BETWEEN 1 AND 2 AND {in_view}
       AND (SELECT count(*) FROM begun_names) < $3
       AND a.search_names LIKE '% ' || substr(atlas_contains_pattern(atlas_normalise($1)), 2)
       AND a.id::text NOT IN (SELECT b.id FROM begun_names b)
     ORDER BY a.sort_name, a.id
     LIMIT $3)
),
-- A text of 5 letters or more that finds fewer names than asked for may have two
-- neighbouring letters swapped ("verien": trigrams do not see it, Verein's names are too
-- unlike): the names containing one of its swapped spellings (atlas_swapped_spellings,
-- migration 000370) follow, ranked below the text's own as a contained word.
swapped_names AS (
    SELECT 'actor' AS kind, a.id::text AS id, a.name AS label, a.country, NULL::int8 AS count,
           (CASE WHEN starts_with(a.search_names, s.spelling) THEN 1 ELSE 0 END
            + word_similarity(s.spelling, a.search_names))::float8 AS score,
           ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat, NULL::box2d AS extent
    FROM unnest(CASE WHEN length(atlas_normalise($1)) >= 5
                     THEN atlas_swapped_spellings(atlas_normalise($1)) END) AS s (spelling)
    JOIN actors a ON a.search_names LIKE atlas_contains_pattern(s.spelling)
    WHERE a.status = 'published' AND {in_view}
      AND (SELECT count(*) FROM names) < $3
      AND a.id::text NOT IN (SELECT n.id FROM names n)
    ORDER BY score DESC, a.sort_name
    LIMIT $3
),
-- Towns whose name (in any language) begins with the text or is close to it (trigram index
-- of the gazetteer's names), best and biggest first: those some published actor gives as its
-- town under one of their names are cities (town_members, when a name begins with the
-- text), the others places (actors_published_town tells them apart).
town_names AS (
    SELECT p.geonameid, p.name, p.country, p.population, p.geom,
           bool_or(starts_with(n.folded, atlas_normalise($1))) AS begins,
           (CASE WHEN bool_or(starts_with(n.folded, atlas_normalise($1))) THEN 1 ELSE 0 END
            + max(word_similarity(atlas_normalise($1), n.folded)))::float8 AS score
    FROM gazetteer_names n JOIN gazetteer_places p ON p.geonameid = n.geonameid
    WHERE length(atlas_normalise($1)) >= 3 AND p.population >= 10000
      -- Begins with: the escaped "contains" pattern without its leading %.
      AND (n.folded LIKE substr(atlas_contains_pattern(atlas_normalise($1)), 2)
           OR atlas_normalise($1) <% n.folded)
    GROUP BY p.geonameid
    ORDER BY score DESC, p.population DESC
    LIMIT 3 * $3
),
-- Actors whose town contains the text or is close to it, and (branches of their own, so
-- that their few index probes are planned as such) those whose town is an alias of it, or
-- another name of a town one of whose names begins with it, from 4 letters (`named`:
-- "Vienn" is Wien, "Thessal" Θεσσαλονίκη, "Bukar" București, while they are typed).
town_members AS (
    SELECT a.id, a.city, a.country, a.geom, false AS named FROM actors a
    WHERE a.status = 'published' AND a.city IS NOT NULL AND {in_view}
      AND ((length(atlas_normalise($1)) >= 3
            AND atlas_normalise(a.city) LIKE atlas_contains_pattern(atlas_normalise($1)))
           OR atlas_normalise($1) <% atlas_normalise(a.city))
    UNION
    SELECT a.id, a.city, a.country, a.geom, true
    FROM unnest(atlas_town_aliases(atlas_normalise($1))) AS t (alias)
    JOIN actors a ON atlas_normalise(a.city) = t.alias AND a.status = 'published' AND {in_view}
    UNION
    SELECT a.id, a.city, a.country, a.geom, true
    FROM town_names t
    JOIN gazetteer_names o ON o.geonameid = t.geonameid
    JOIN actors a ON atlas_normalise(a.city) = o.folded AND a.status = 'published' AND {in_view}
    WHERE t.begins AND length(atlas_normalise($1)) >= 4
),
cities AS (
    SELECT 'city' AS kind, min(m.city) AS id, min(m.city) AS label, m.country,
           count(DISTINCT m.id) AS count,
           (CASE WHEN starts_with(atlas_normalise(min(m.city)), atlas_normalise($1)) OR bool_or(m.named)
                 THEN 2 ELSE 0 END
            + word_similarity(atlas_normalise($1), atlas_normalise(min(m.city))) + 0.1)::float8 AS score,
           ST_X(ST_Centroid(ST_Extent(m.geom)::geometry)) AS lon,
           ST_Y(ST_Centroid(ST_Extent(m.geom)::geometry)) AS lat, ST_Extent(m.geom) AS extent
    FROM town_members m
    GROUP BY atlas_normalise(m.city), m.country
    ORDER BY score DESC, count DESC
    LIMIT $3
),
labels AS (
    SELECT 'category' AS kind, c.id, l.label, NULL::text AS country,
           (SELECT coalesce(sum(m.actors), 0)::int8 FROM map_cells m
            WHERE m.facet = 'category' AND m.value = c.id AND m.zoom = 0) AS count,
           (CASE WHEN position(typed.words IN l.words) > 0 THEN 2 ELSE 0 END
            + word_similarity(typed.words, l.words) + 0.2
            -- A category no published actor is in leads to an empty map: after what does
            -- not ("coop" suggested "Platform cooperatives", with none, first).
            - CASE WHEN EXISTS (SELECT 1 FROM map_cells m
                                WHERE m.facet = 'category' AND m.value = c.id AND m.zoom = 0
                                  AND m.actors > 0)
                   THEN 0 ELSE 2 END)::float8 AS score,
           NULL::float8 AS lon, NULL::float8 AS lat, NULL::box2d AS extent
    FROM categories c
    -- Text and labels are compared word by word, punctuation as spaces: "second h" is in
    -- "Second-hand, swap & free shops" (it suggested the Czech "Second handy, …" instead);
    -- a hyphenated word also without its hyphen: "coop" is in "Food co-ops & buying groups".
    CROSS JOIN (SELECT atlas_label_words($1) AS words) AS typed
    -- The label in the reader's language (then English); when the text is not in it but in
    -- the category's label in another language, from 5 letters, that label: "élelmiszerbank"
    -- typed on an English page suggests "Élelmiszerbankok és szociális boltok".
    CROSS JOIN LATERAL (
        SELECT chosen.label,
               atlas_label_words(chosen.label)
               || CASE WHEN position('-' IN chosen.label) > 0
                       THEN ' ' || atlas_label_words(replace(chosen.label, '-', '')) ELSE '' END
                 AS words
        FROM (SELECT coalesce(
                  (SELECT t.value FROM jsonb_each_text(c.labels) AS t
                   WHERE length(typed.words) >= 5
                     AND position(typed.words IN c.label_words) > 0
                     AND position(typed.words IN atlas_label_words(coalesce(c.labels ->> $2, c.labels ->> 'en'))) = 0
                     AND position(typed.words IN atlas_label_words(t.value)) > 0
                   ORDER BY t.key
                   LIMIT 1),
                  coalesce(c.labels ->> $2, c.labels ->> 'en')) AS label) AS chosen
    ) AS l
    -- (Text without a letter or digit has no words: it is in every label.)
    WHERE typed.words <> ''
      AND (position(typed.words IN l.words) > 0
           OR word_similarity(typed.words, l.words) >= 0.45)
    ORDER BY score DESC
    LIMIT $3
),
places AS (
    SELECT 'place' AS kind, t.geonameid::text AS id, t.name AS label, t.country,
           NULL::int8 AS count, t.score, ST_X(t.geom) AS lon, ST_Y(t.geom) AS lat,
           NULL::box2d AS extent
    FROM town_names t
    WHERE NOT EXISTS (SELECT 1 FROM gazetteer_names o
                      JOIN actors a ON atlas_normalise(a.city) = o.folded AND a.status = 'published'
                                   AND {in_view}
                      WHERE o.geonameid = t.geonameid)
    ORDER BY t.score DESC, t.population DESC
    LIMIT least(3, $3)
),
-- The first of a country's names in the domain's list that begins with the text: the
-- English one when it does ("Greece", not "Grèce"). A long form is suggested only once the
-- text goes past its first word ("rep", someone typing "repair", suggested "Repubblica
-- Italiana", "Republik Österreich" and "République française"): a name of several words
-- whose first word begins another country's name too ("Republic of …", "Kingdom of …",
-- "Irlanda del Norte") or which ends with another of its country's names ("Republik
-- Österreich"). The English name always is ("unit": United Kingdom); another from 5
-- letters.
country_names AS (
    SELECT n.country, (array_agg(n.name ORDER BY n.rank))[1] AS label,
           max(word_similarity(atlas_normalise($1), n.words)) AS similarity
    FROM search_country_names n
    WHERE length(atlas_normalise($1)) >= 3
      AND n.words LIKE substr(atlas_contains_pattern(atlas_normalise($1)), 2)
      -- A name in another language than English from 5 letters, as a category's label in
      -- another language: "wie" (Wien) suggested "Wielka Brytania" (Polish) first.
      AND (n.rank = 0 OR length(atlas_normalise($1)) >= 5)
      AND (n.rank = 0
           OR position(' ' IN n.words) = 0
           OR length(atlas_normalise($1)) > length(n.first_word)
           OR NOT EXISTS (SELECT 1 FROM search_country_names o
                          WHERE (o.first_word = n.first_word AND o.country <> n.country)
                             OR (o.country = n.country AND o.words <> n.words
                                 AND n.words LIKE '% ' || o.words)))
    GROUP BY n.country
),
countries AS (
    SELECT 'country' AS kind, c.country AS id, c.label, c.country, sum(m.actors)::int8 AS count,
           (2 + c.similarity + 0.15)::float8 AS score,
           (sum(m.lon_sum) / sum(m.actors))::float8 AS lon,
           (sum(m.lat_sum) / sum(m.actors))::float8 AS lat,
           ST_MakeBox2D(ST_Point(min(m.west), min(m.south)), ST_Point(max(m.east), max(m.north))) AS extent
    FROM country_names c
    JOIN map_cells m ON m.facet = 'country' AND m.value = c.country AND m.zoom = 0
    GROUP BY c.country, c.label, c.similarity
    ORDER BY score DESC, count DESC
    LIMIT least(3, $3)
)
SELECT kind, id, label, country, count, score, lon, lat,
       ST_XMin(extent) AS min_lon, ST_YMin(extent) AS min_lat,
       ST_XMax(extent) AS max_lon, ST_YMax(extent) AS max_lat
FROM (
    SELECT * FROM names UNION ALL SELECT * FROM swapped_names
    UNION ALL SELECT * FROM cities UNION ALL SELECT * FROM labels
    UNION ALL SELECT * FROM places UNION ALL SELECT * FROM countries
) AS s
ORDER BY score DESC, label
LIMIT $3
