-- Back to migration 000300's word forms and 000290's correction forms.
CREATE OR REPLACE FUNCTION atlas_word_forms(term text, is_last boolean) RETURNS tsquery[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    forms tsquery[] := ARRAY[to_tsquery('simple', term || CASE WHEN is_last AND length(term) >= 2 THEN ':*' ELSE '' END)];
    form tsquery;
    cfg regconfig;
BEGIN
    FOREACH cfg IN ARRAY atlas_query_configs() LOOP
        form := plainto_tsquery(cfg, term);
        IF numnode(form) = 0 THEN
            RETURN NULL;
        END IF;
        forms := forms || form;
    END LOOP;
    -- Written as two words ("non-profit" for "nonprofit"), when a document does.
    RETURN forms || ARRAY(SELECT to_tsquery('simple', quote_literal(w.head) || ' <-> ' || quote_literal(w.tail))
                          FROM search_words_apart w WHERE w.word = term ORDER BY w.head);
END;
$$;
COMMENT ON FUNCTION atlas_word_forms(text, boolean) IS
    'A query word as typed (a prefix if it is the last and has two letters or more), stemmed in each language, and as two words when documents write it so (search_words_apart); NULL when a language takes it for a stop word.';

-- What a misspelt word may mean: each correction as typed and the closest also stemmed in
-- each language, as the word typed right would be ("sustainabilty" finds what
-- "sustainability" finds, its stem "sustain", not only the texts with that very word).
CREATE OR REPLACE FUNCTION atlas_correction_forms(corrections text[]) RETURNS tsquery[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    forms tsquery[] := ARRAY(SELECT to_tsquery('simple', c) FROM unnest(corrections) WITH ORDINALITY AS s (c, n) ORDER BY n);
    form tsquery;
    cfg regconfig;
BEGIN
    IF cardinality(corrections) > 0 THEN
        FOREACH cfg IN ARRAY atlas_query_configs() LOOP
            form := plainto_tsquery(cfg, corrections[1]);
            IF numnode(form) > 0 THEN
                forms := forms || form;
            END IF;
        END LOOP;
    END IF;
    RETURN forms;
END;
$$;
COMMENT ON FUNCTION atlas_correction_forms(text[]) IS
    'Typo corrections of a word as tsqueries: each as typed, the first (closest) also stemmed in each language.';

DROP FUNCTION atlas_stems(text);
DROP FUNCTION atlas_is_stop_word(text);
