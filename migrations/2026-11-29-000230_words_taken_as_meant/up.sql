-- A word that names a town is taken as meant, like a word search knows, even when no actor is
-- in that town: "Rome", "Geneva" or "Cork" were typo-corrected to "rose", "general" or "work"
-- and answered with unrelated actors. Its only corrections are the town's other names
-- ("Tuebingen" is still "Tübingen"). A town of 50,000 people or more, as for the towns'
-- other names (migration 000190), under any of its GeoNames names.
--
-- A word that is part of a category's label is meant too: "Fahrrad" (in
-- "Fahrradwerkstätten") was also corrected to "fairtrad" and found fair-trade shops.

CREATE FUNCTION atlas_names_town(word text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM gazetteer_names n JOIN gazetteer_places p ON p.geonameid = n.geonameid
               WHERE n.folded = word AND p.population >= 50000);
COMMENT ON FUNCTION atlas_names_town(text) IS
    'Whether a (folded) word is a name of a town of 50,000 people or more (GeoNames).';

-- Whether two (folded) words are names of one town of 50,000 people or more.
CREATE FUNCTION atlas_same_town(word text, other text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM gazetteer_names n
               JOIN gazetteer_names o ON o.geonameid = n.geonameid
               JOIN gazetteer_places p ON p.geonameid = n.geonameid
               WHERE n.folded = word AND o.folded = other AND p.population >= 50000);
COMMENT ON FUNCTION atlas_same_town(text, text) IS
    'Whether two (folded) words name the same town of 50,000 people or more (GeoNames).';

CREATE OR REPLACE FUNCTION atlas_typo_corrections(term text, max_typos integer)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
DECLARE
    bound float8;
    previous text;
    found text[];
BEGIN
    -- A word search knows is meant, and so is a part of a category's label (7 letters or
    -- more, as atlas_search_query matches parts): "fahrrad" in "Fahrradwerkstätten" is not
    -- "fairtrad".
    IF max_typos <= 0 OR EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = term)
       OR (length(term) >= 7
           AND EXISTS (SELECT 1 FROM categories c WHERE position(term IN c.search_labels) > 0)) THEN
        RETURN '{}';
    END IF;
    bound := (cardinality(show_trgm(term)) - 3 * max_typos)::float8 / (length(term) + 1 + 4 * max_typos);
    IF bound > 0.15 THEN
        previous := current_setting('pg_trgm.similarity_threshold');
        -- A little below the bound: similarity() is computed in float4.
        PERFORM set_config('pg_trgm.similarity_threshold', (bound - 0.001)::text, true);
        -- Planned on each call (EXECUTE): a plan cached for any term (PL/pgSQL's generic
        -- plan, after five calls in a session) cannot use the trigram index, and compared
        -- every word's trigrams instead: 41 ms a call.
        EXECUTE 'SELECT ARRAY(SELECT v.word FROM search_vocabulary v
                              WHERE v.word % $1
                                AND length(v.word) BETWEEN length($1) - $2 AND length($1) + $2
                                AND levenshtein_less_equal(v.word, $1, $2) <= $2
                              ORDER BY levenshtein(v.word, $1), v.word
                              LIMIT 8)'
            INTO found USING term, max_typos;
        PERFORM set_config('pg_trgm.similarity_threshold', previous, true);
    ELSE
        found := ARRAY(
            SELECT v.word FROM search_vocabulary v
            WHERE length(v.word) BETWEEN length(term) - max_typos AND length(term) + max_typos
              AND levenshtein_less_equal(v.word, term, max_typos) <= max_typos
            ORDER BY levenshtein(v.word, term), v.word
            LIMIT 8);
    END IF;
    -- A town's name is meant: only the town's other names correct it.
    IF cardinality(found) > 0 AND atlas_names_town(term) THEN
        found := ARRAY(SELECT w FROM unnest(found) WITH ORDINALITY AS f (w, n)
                       WHERE atlas_same_town(term, w) ORDER BY n);
    END IF;
    RETURN found;
END
$$;
COMMENT ON FUNCTION atlas_typo_corrections(text, integer) IS 'Up to 8 vocabulary words within max_typos edits of an unknown word, closest first (trigram index when the bound allows); for a town''s name, only the town''s other names.';
