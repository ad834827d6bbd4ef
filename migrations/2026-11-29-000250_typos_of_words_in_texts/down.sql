-- Back to 000230's corrections (vocabulary only), 000030's learning (weights A-C only) and
-- 000190's query (corrections as written only).
CREATE OR REPLACE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery)
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    terms text[];
    term text;
    position integer := 0;
    cfg regconfig;
    is_stop_word boolean;
    form tsquery;
    seen text[];
    exact tsquery;
    typos tsquery;
    with_typos tsquery;
    corrected text;
    corrections text[];
    named_categories text[];
    max_typos integer;
    aliases text[];
    alias text;
    split text;
BEGIN
    terms := ARRAY(
        SELECT left(w, 40) FROM regexp_split_to_table(atlas_normalise(left(q, 1000)), '[^[:alnum:]]+')
            WITH ORDINALITY AS s (w, n)
        WHERE w <> '' ORDER BY n LIMIT 12);
    FOREACH term IN ARRAY terms LOOP
        position := position + 1;
        is_stop_word := false;
        exact := to_tsquery('simple', term || CASE WHEN position = cardinality(terms) THEN ':*' ELSE '' END);
        seen := ARRAY[exact::text];
        FOREACH cfg IN ARRAY atlas_query_configs() LOOP
            form := plainto_tsquery(cfg, term);
            IF numnode(form) = 0 THEN
                is_stop_word := true;
                EXIT;
            END IF;
            IF NOT form::text = ANY (seen) THEN
                exact := exact || form;
                seen := seen || form::text;
            END IF;
        END LOOP;
        CONTINUE WHEN is_stop_word;
        -- A town named in another language or script also means the name its actors give
        -- ("vienna" or "Bécs": "wien"); such a word is taken as meant, not as a typo
        -- ("munich" is not "music").
        aliases := atlas_town_aliases(term);
        FOREACH alias IN ARRAY aliases LOOP
            form := to_tsquery('simple', alias);
            IF NOT form::text = ANY (seen) THEN
                exact := exact || form;
                seen := seen || form::text;
            END IF;
        END LOOP;
        -- A word search does not know may be two it knows written as one ("zerowaste",
        -- "energiegenossenschaft"): it also means both, each as a word of its own (stemmed,
        -- and the categories it names). The parts are known words, so this recursion ends.
        split := CASE WHEN cardinality(aliases) = 0 THEN atlas_compound_split(term) END;
        IF split IS NOT NULL THEN
            exact := exact || (SELECT s.match_exact FROM atlas_search_query(split) s);
        END IF;
        -- A transposition counts as two edits, so six letters and more allow two. A word
        -- search knows is taken as meant: "wien" is not corrected to "when".
        max_typos := CASE WHEN cardinality(aliases) > 0 THEN 0
                          WHEN length(term) >= 6 THEN 2 WHEN length(term) >= 4 THEN 1 ELSE 0 END;
        corrections := atlas_typo_corrections(term, max_typos);
        typos := NULL;
        FOREACH corrected IN ARRAY corrections LOOP
            form := to_tsquery('simple', corrected);
            IF NOT form::text = ANY (seen) THEN
                typos := coalesce(typos || form, form);
                seen := seen || form::text;
            END IF;
        END LOOP;
        -- Categories the word names: a label word in any language (stemmed as the label's
        -- language), or — from 7 letters, as short words hide inside too many others ("wien"
        -- in "upodmiotowienie") — a part of a label ("genossenschaft" in
        -- "Wohnungsgenossenschaften"), also through a correction of the word. Typo
        -- corrections that name a label word count as corrections.
        named_categories := ARRAY(
            SELECT 'c:' || c.id FROM categories c
            WHERE c.search_doc @@ exact
               OR (length(term) >= 7 AND EXISTS (
                       SELECT 1 FROM unnest(term || corrections) AS w
                       WHERE position(w IN c.search_labels) > 0))
            ORDER BY c.id);
        FOREACH corrected IN ARRAY named_categories LOOP
            exact := exact || quote_literal(corrected)::tsquery;
        END LOOP;
        IF typos IS NOT NULL THEN
            FOR corrected IN
                SELECT 'c:' || c.id FROM categories c
                WHERE c.search_doc @@ typos AND NOT ('c:' || c.id) = ANY (named_categories)
                ORDER BY c.id
            LOOP
                typos := typos || quote_literal(corrected)::tsquery;
            END LOOP;
        END IF;
        with_typos := CASE WHEN typos IS NULL THEN exact ELSE exact || typos END;
        -- NULL until the first word: a query of stop words or punctuation matches nothing.
        match_all := coalesce(match_all && with_typos, with_typos);
        match_any := coalesce(match_any || with_typos, with_typos);
        match_exact := coalesce(match_exact && exact, exact);
    END LOOP;
END;
$$;
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names, as the local names of a town it names (search_place_aliases), as the two known words of an unknown compound, and typo-corrected against search_vocabulary.';

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

CREATE OR REPLACE FUNCTION atlas_learn_words(doc tsvector) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_vocabulary (word)
    SELECT DISTINCT w FROM unnest(tsvector_to_array(ts_filter(doc, '{a,b,c}'))) AS w
    WHERE w ~ '^[[:alpha:]]{4,30}$'
    ON CONFLICT DO NOTHING;
$$;
COMMENT ON FUNCTION atlas_learn_words(tsvector) IS 'Adds the words of names, categories, tags and places (weights A-C) of a search document to search_vocabulary; descriptions are matched exactly and stemmed, not typo-corrected.';

DROP FUNCTION atlas_written_often(text);
DROP FUNCTION atlas_words_near(text, integer, regclass);
DROP TABLE search_text_vocabulary;
