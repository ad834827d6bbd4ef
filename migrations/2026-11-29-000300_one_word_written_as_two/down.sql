-- Back to migration 000290's word forms and 000250's learning.
-- A word as typed (a prefix when it is the last: the user may still be typing) and stemmed
-- in each language, each form once; NULL when some language takes it for a stop word.
CREATE OR REPLACE FUNCTION atlas_word_forms(term text, is_last boolean) RETURNS tsquery[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    forms tsquery[] := ARRAY[to_tsquery('simple', term || CASE WHEN is_last THEN ':*' ELSE '' END)];
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
    RETURN forms;
END;
$$;
COMMENT ON FUNCTION atlas_word_forms(text, boolean) IS
    'A query word as typed (a prefix if it is the last) and stemmed in each language; NULL when a language takes it for a stop word.';

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

DROP FUNCTION atlas_words_apart_of(text);
DROP FUNCTION atlas_words_apart_in(tsvector);
DROP TABLE search_words_apart;
