-- Back to 000180's corrections: a town's name may be corrected.
CREATE OR REPLACE FUNCTION atlas_typo_corrections(term text, max_typos integer)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
DECLARE
    bound float8;
    previous text;
    found text[];
BEGIN
    IF max_typos <= 0 OR EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = term) THEN
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
        RETURN found;
    END IF;
    RETURN ARRAY(
        SELECT v.word FROM search_vocabulary v
        WHERE length(v.word) BETWEEN length(term) - max_typos AND length(term) + max_typos
          AND levenshtein_less_equal(v.word, term, max_typos) <= max_typos
        ORDER BY levenshtein(v.word, term), v.word
        LIMIT 8);
END
$$;
COMMENT ON FUNCTION atlas_typo_corrections(text, integer) IS 'Up to 8 vocabulary words within max_typos edits of an unknown word, closest first (trigram index when the bound allows).';

DROP FUNCTION atlas_same_town(text, text);
DROP FUNCTION atlas_names_town(text);
