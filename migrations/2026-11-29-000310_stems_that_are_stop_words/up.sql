-- A word's stem that is a stop word of some language is not one of its forms. Documents keep
-- every word as written, stop words too, so such a stem matched nearly every text of that
-- language: the Portuguese stemmer makes "paris" "par" (French), "open" is "op" to one
-- stemmer (Dutch), "water" "wat" (Dutch), "park" "par", "willing" "will". "paris" listed
-- 308 actors, the 7 in Paris below the work-integration category's, whose French label
-- says "par". 157 of the seed's 7,737 vocabulary words lose such a stem.

CREATE FUNCTION atlas_is_stop_word(word text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM unnest(atlas_query_configs()) AS cfg
               WHERE numnode(plainto_tsquery(cfg, word)) = 0);
COMMENT ON FUNCTION atlas_is_stop_word(text) IS
    'Whether some language search reads (atlas_query_configs) takes the word for a stop word.';

-- The word stemmed in each language, each stem once, but no stem that some language takes
-- for a stop word (the word itself, when it is its own stem, is kept).
CREATE FUNCTION atlas_stems(word text) RETURNS tsquery[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    stems tsquery[] := '{}';
    stem tsquery;
    cfg regconfig;
BEGIN
    FOREACH cfg IN ARRAY atlas_query_configs() LOOP
        stem := plainto_tsquery(cfg, word);
        CONTINUE WHEN numnode(stem) = 0 OR stem = ANY (stems);
        CONTINUE WHEN numnode(stem) = 1 AND stem <> to_tsquery('simple', quote_literal(word))
                      AND atlas_is_stop_word(trim(BOTH '''' FROM stem::text));
        stems := stems || stem;
    END LOOP;
    RETURN stems;
END;
$$;
COMMENT ON FUNCTION atlas_stems(text) IS
    'A word stemmed in each language search reads, each stem once, leaving out stems (other than the word) that a language takes for a stop word.';

-- A word as typed (a prefix when it is the last: the user may still be typing) and stemmed
-- in each language; NULL when some language takes it for a stop word.
CREATE OR REPLACE FUNCTION atlas_word_forms(term text, is_last boolean) RETURNS tsquery[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    IF atlas_is_stop_word(term) THEN
        RETURN NULL;
    END IF;
    RETURN ARRAY[to_tsquery('simple', term || CASE WHEN is_last AND length(term) >= 2 THEN ':*' ELSE '' END)]
        || atlas_stems(term)
        -- Written as two words ("non-profit" for "nonprofit"), when a document does.
        || ARRAY(SELECT to_tsquery('simple', quote_literal(w.head) || ' <-> ' || quote_literal(w.tail))
                 FROM search_words_apart w WHERE w.word = term ORDER BY w.head);
END;
$$;
COMMENT ON FUNCTION atlas_word_forms(text, boolean) IS
    'A query word as typed (a prefix if it is the last and has two letters or more), stemmed (atlas_stems), and as two words when documents write it so (search_words_apart); NULL when a language takes it for a stop word.';

-- What a misspelt word may mean: each correction as typed and the closest also stemmed.
CREATE OR REPLACE FUNCTION atlas_correction_forms(corrections text[]) RETURNS tsquery[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN ARRAY(SELECT to_tsquery('simple', c) FROM unnest(corrections) WITH ORDINALITY AS s (c, n) ORDER BY n)
        || CASE WHEN cardinality(corrections) > 0 THEN atlas_stems(corrections[1]) ELSE '{}' END;
END;
$$;
COMMENT ON FUNCTION atlas_correction_forms(text[]) IS
    'Typo corrections of a word as tsqueries: each as typed, the first (closest) also stemmed (atlas_stems).';
