-- A misspelt word is also corrected to words of actors' texts (summaries and descriptions),
-- not only to words of names, places, tags and category labels: "biodiversty",
-- "sustainabilty" or "accessibilite" found none or few of the 44, 132 and 32 actors of the
-- seed whose texts say "biodiversity", "sustainability" or "accessibility". Meilisearch
-- corrects typos in every searchable field; PostgreSQL now does too.
--
-- The words of texts are many (18,576 of 4+ letters on the seed, 56,928 at 100k actors,
-- against 6,112 in search_vocabulary) and noisier, so they are kept apart:
--   * a word written in two or more published actors' texts is taken as meant, like a word of
--     the vocabulary ("people" is not corrected to "purple"); a word in one text only may be
--     that text's own typo, and is still corrected;
--   * they correct a word of 4 to 7 letters by one edit, not two: a short word is within two
--     edits of too many words of texts.

CREATE TABLE search_text_vocabulary (
    word text PRIMARY KEY CHECK (word ~ '^[[:alpha:]]{4,30}$')
);
COMMENT ON TABLE search_text_vocabulary IS 'Words (and stems) of actors'' summaries and descriptions, lowercase, without accents, for typo correction. Only grows; a stale word merely matches nothing.';
COMMENT ON COLUMN search_text_vocabulary.word IS 'A word or stem, 4 to 30 letters.';
CREATE INDEX search_text_vocabulary_trigrams ON search_text_vocabulary USING gin (word gin_trgm_ops);

CREATE OR REPLACE FUNCTION atlas_learn_words(doc tsvector) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_vocabulary (word)
    SELECT DISTINCT w FROM unnest(tsvector_to_array(ts_filter(doc, '{a,b,c}'))) AS w
    WHERE w ~ '^[[:alpha:]]{4,30}$'
    ON CONFLICT DO NOTHING;
    INSERT INTO search_text_vocabulary (word)
    SELECT DISTINCT w FROM unnest(tsvector_to_array(ts_filter(doc, '{d}'))) AS w
    WHERE w ~ '^[[:alpha:]]{4,30}$'
    ON CONFLICT DO NOTHING;
$$;
COMMENT ON FUNCTION atlas_learn_words(tsvector) IS 'Adds the words of names, categories, tags and places (weights A-C) of a search document to search_vocabulary, and those of its texts (D) to search_text_vocabulary.';

-- The words of the texts there are (one pass over the documents, not a call per actor).
INSERT INTO search_text_vocabulary (word)
SELECT word FROM ts_stat('SELECT ts_filter(search_doc, ''{d}'') FROM actors')
WHERE word ~ '^[[:alpha:]]{4,30}$'
ON CONFLICT DO NOTHING;
ANALYZE search_text_vocabulary;

-- Vocabulary words within max_typos edits of a word, closest first: through the trigram
-- index when the bound allows, else by comparing every word of a length that could match.
-- Planned on each call (EXECUTE): a plan cached for any term (PL/pgSQL's generic plan, after
-- five calls in a session) cannot use the trigram index.
CREATE FUNCTION atlas_words_near(term text, max_typos integer, vocabulary regclass)
RETURNS TABLE (word text, typos integer)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
DECLARE
    bound float8;
    previous text;
BEGIN
    IF max_typos <= 0 THEN
        RETURN;
    END IF;
    bound := (cardinality(show_trgm(term)) - 3 * max_typos)::float8 / (length(term) + 1 + 4 * max_typos);
    IF bound > 0.15 THEN
        previous := current_setting('pg_trgm.similarity_threshold');
        -- A little below the bound: similarity() is computed in float4.
        PERFORM set_config('pg_trgm.similarity_threshold', (bound - 0.001)::text, true);
        RETURN QUERY EXECUTE format(
            'SELECT v.word, levenshtein(v.word, $1) FROM %s v
             WHERE v.word %% $1
               AND length(v.word) BETWEEN length($1) - $2 AND length($1) + $2
               AND levenshtein_less_equal(v.word, $1, $2) <= $2
             ORDER BY 2, 1 LIMIT 8', vocabulary)
            USING term, max_typos;
        PERFORM set_config('pg_trgm.similarity_threshold', previous, true);
    ELSE
        RETURN QUERY EXECUTE format(
            'SELECT v.word, levenshtein(v.word, $1) FROM %s v
             WHERE length(v.word) BETWEEN length($1) - $2 AND length($1) + $2
               AND levenshtein_less_equal(v.word, $1, $2) <= $2
             ORDER BY 2, 1 LIMIT 8', vocabulary)
            USING term, max_typos;
    END IF;
END
$$;
COMMENT ON FUNCTION atlas_words_near(text, integer, regclass) IS
    'Up to 8 words of a vocabulary table within max_typos edits of a word, closest first, with their distance.';

-- Whether a (normalised) word is written in two or more published actors' documents.
CREATE FUNCTION atlas_written_often(word text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM search_text_vocabulary v WHERE v.word = $1)
   AND (SELECT count(*) FROM (SELECT 1 FROM actors a
                              WHERE a.status = 'published'
                                AND a.search_doc @@ to_tsquery('simple', quote_literal($1))
                              LIMIT 2) AS s) = 2;
COMMENT ON FUNCTION atlas_written_often(text) IS
    'Whether a (normalised) word is in two or more published actors'' search documents (as written or as a stem).';

CREATE OR REPLACE FUNCTION atlas_typo_corrections(term text, max_typos integer)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
DECLARE
    found text[];
BEGIN
    -- A word search knows is meant: a word of the vocabulary, a part of a category's label
    -- (7 letters or more, as atlas_search_query matches parts: "fahrrad" in
    -- "Fahrradwerkstätten" is not "fairtrad"), a word written in two texts or more.
    IF max_typos <= 0 OR EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = term)
       OR (length(term) >= 7
           AND EXISTS (SELECT 1 FROM categories c WHERE position(term IN c.search_labels) > 0))
       OR atlas_written_often(term) THEN
        RETURN '{}';
    END IF;
    found := ARRAY(
        SELECT n.word FROM (
            SELECT * FROM atlas_words_near(term, max_typos, 'search_vocabulary')
            UNION
            -- Words of texts correct a short word (under 8 letters) by one edit only.
            SELECT * FROM atlas_words_near(term, CASE WHEN length(term) >= 8 THEN max_typos
                                                      ELSE least(max_typos, 1) END,
                                           'search_text_vocabulary')) AS n
        ORDER BY n.typos, n.word
        LIMIT 8);
    -- A town's name is meant: only the town's other names correct it.
    IF cardinality(found) > 0 AND atlas_names_town(term) THEN
        found := ARRAY(SELECT w FROM unnest(found) WITH ORDINALITY AS f (w, n)
                       WHERE atlas_same_town(term, w) ORDER BY n);
    END IF;
    RETURN found;
END
$$;
COMMENT ON FUNCTION atlas_typo_corrections(text, integer) IS 'Up to 8 words within max_typos edits of an unknown word, closest first, from search_vocabulary and (one edit under 8 letters) search_text_vocabulary; none for a word written in two texts or more; for a town''s name, only the town''s other names.';

-- The closest correction of a misspelt word is also stemmed, as the word typed right is: a
-- correction to a word of texts otherwise found only the texts with that very word
-- ("sustainabilty": 36 actors, "sustainability": 167). Otherwise as in migration 000190.
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
        -- The closest correction is also stemmed in each language, as the word typed right
        -- would be: "sustainabilty" finds what "sustainability" finds (its stem "sustain"),
        -- not only the texts with that very word.
        IF cardinality(corrections) > 0 THEN
            FOREACH cfg IN ARRAY atlas_query_configs() LOOP
                form := plainto_tsquery(cfg, corrections[1]);
                IF numnode(form) > 0 AND NOT form::text = ANY (seen) THEN
                    typos := coalesce(typos || form, form);
                    seen := seen || form::text;
                END IF;
            END LOOP;
        END IF;
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
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names, as the local names of a town it names (search_place_aliases), as the two known words of an unknown compound, and typo-corrected against search_vocabulary and search_text_vocabulary (the closest correction also stemmed).';
