-- Back to the search documents of 2026-11-28-000030_search: category labels in every actor's
-- document, every stemmer's form of a word in the query.
CREATE OR REPLACE FUNCTION atlas_actor_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    names text := atlas_normalise(concat_ws(' ', NEW.name, array_to_string(NEW.alt_names, ' ')));
    text_langs text[] := ARRAY(SELECT jsonb_object_keys(NEW.summary || NEW.description));
    name_doc tsvector := to_tsvector('simple', names) || to_tsvector('english', names);
    lang text;
    category_ids text[] := ARRAY(SELECT c.id FROM categories c
                                 WHERE c.id = ANY (NEW.categories)
                                    OR c.id IN (SELECT p.parent_id FROM categories p WHERE p.id = ANY (NEW.categories)));
BEGIN
    -- Names have no language of their own; stem them like the actor's texts.
    FOREACH lang IN ARRAY text_langs LOOP
        name_doc := name_doc || to_tsvector(atlas_ts_config(lang), names);
    END LOOP;
    NEW.search_names := names;
    NEW.search_doc :=
        setweight(name_doc, 'A')
        || setweight((SELECT coalesce(atlas_tsvector_agg(c.search_doc), '') FROM categories c
                      WHERE c.id = ANY (category_ids)), 'B')
        || setweight(array_to_tsvector(ARRAY(SELECT 'c:' || id FROM unnest(category_ids) AS id)), 'B')
        || setweight(to_tsvector('simple', atlas_normalise(concat_ws(' ',
               nullif(replace(NEW.kind, '_', ' '), 'other'),
               replace(array_to_string(NEW.tags, ' '), '_', ' ')))), 'B')
        || setweight(to_tsvector('simple', atlas_normalise(concat_ws(' ', NEW.city, NEW.region, NEW.postcode))), 'C')
        || setweight(atlas_lang_doc(NEW.summary) || atlas_lang_doc(NEW.description), 'D');
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION atlas_category_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM atlas_learn_words(NEW.search_doc);
    IF TG_OP = 'UPDATE' AND NEW.labels IS DISTINCT FROM OLD.labels THEN
        UPDATE actors SET search_doc = search_doc
        WHERE categories && (ARRAY[NEW.id] || ARRAY(SELECT id FROM categories WHERE parent_id = NEW.id));
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    terms text[];
    term text;
    position integer := 0;
    cfg regconfig;
    is_stop_word boolean;
    exact tsquery;
    with_typos tsquery;
    corrected text;
    corrections text[];
    max_typos integer;
BEGIN
    terms := ARRAY(
        SELECT left(w, 40) FROM regexp_split_to_table(atlas_normalise(left(q, 1000)), '[^[:alnum:]]+')
            WITH ORDINALITY AS s (w, n)
        WHERE w <> '' ORDER BY n LIMIT 12);
    FOREACH term IN ARRAY terms LOOP
        position := position + 1;
        is_stop_word := false;
        exact := to_tsquery('simple', term || CASE WHEN position = cardinality(terms) THEN ':*' ELSE '' END);
        FOREACH cfg IN ARRAY atlas_query_configs() LOOP
            IF numnode(plainto_tsquery(cfg, term)) = 0 THEN
                is_stop_word := true;
                EXIT;
            END IF;
            exact := exact || plainto_tsquery(cfg, term);
        END LOOP;
        CONTINUE WHEN is_stop_word;
        -- A transposition counts as two edits, so six letters and more allow two. A word
        -- search knows is taken as meant: "wien" is not corrected to "when".
        max_typos := CASE WHEN length(term) >= 6 THEN 2 WHEN length(term) >= 4 THEN 1 ELSE 0 END;
        corrections := '{}';
        IF max_typos > 0 AND NOT EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = term) THEN
            corrections := ARRAY(
                SELECT v.word FROM search_vocabulary v
                WHERE length(v.word) BETWEEN length(term) - max_typos AND length(term) + max_typos
                  AND levenshtein_less_equal(v.word, term, max_typos) <= max_typos
                ORDER BY levenshtein(v.word, term), v.word
                LIMIT 8);
        END IF;
        -- Categories whose label in any language contains the word (or a correction of it):
        -- this finds compounds ("Wohnungsgenossenschaften" for "genossenschaft"). Short words
        -- hide inside too many others ("wien" in "upodmiotowienie"), so only from 7 letters;
        -- whole label words match through the labels in search_doc anyway.
        IF length(term) >= 7 THEN
            FOR corrected IN
                SELECT DISTINCT 'c:' || c.id FROM categories c, unnest(term || corrections) AS w
                WHERE position(w IN c.search_labels) > 0
            LOOP
                exact := exact || quote_literal(corrected)::tsquery;
            END LOOP;
        END IF;
        with_typos := exact;
        FOREACH corrected IN ARRAY corrections LOOP
            with_typos := with_typos || to_tsquery('simple', corrected);
        END LOOP;
        -- NULL until the first word: a query of stop words or punctuation matches nothing.
        match_all := coalesce(match_all && with_typos, with_typos);
        match_any := coalesce(match_any || with_typos, with_typos);
        match_exact := coalesce(match_exact && exact, exact);
    END LOOP;
END;
$$;
COMMENT ON COLUMN actors.search_doc IS 'What text search matches, by weight: A name and other names; B category labels (all languages, parents included), the lexeme c:<category id> per category and parent, kind and tags; C city, region and postcode; D summary and description. Maintained by the actors_search_columns trigger.';
COMMENT ON FUNCTION atlas_actor_search_columns() IS 'Fills actors.search_doc and actors.search_names from the row and the taxonomy labels.';
COMMENT ON FUNCTION atlas_category_changed() IS 'After a category write: learn its words and refresh the search documents of its actors.';
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language, and typo-corrected against search_vocabulary.';
UPDATE actors SET search_doc = search_doc;
