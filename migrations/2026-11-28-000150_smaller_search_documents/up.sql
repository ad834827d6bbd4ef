-- Smaller search documents and smaller text queries, so a broad query costs less per match.
--
-- Category labels (every label in 8 languages, stemmed, for each category and parent) made up
-- about two thirds of an actor's search document, pushing most documents past the TOAST
-- threshold: every match was decompressed to be rechecked and ranked. Labels are now matched
-- on the query side: atlas_search_query finds the categories a word names (by their own
-- search_doc, or as part of a compound) and asks for their `c:<id>` lexemes, which actors'
-- documents keep. Matching is the same: a label word is in an actor's old document exactly
-- when one of its categories' labels has it.
--
-- Queries keep every distinct form of a word once: the 11 stemmers mostly agree ("repair"
-- came out eight times), and each copy cost a test per document and a term in ts_rank.

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
        -- Each c:<id> with a position of its own (array_to_tsvector gives none): a lexeme
        -- without positions has no weight (ts_rank counts it as D, ts_filter drops it).
        || setweight(coalesce((SELECT string_agg(quote_literal('c:' || id) || ':' || n, ' ')
                               FROM unnest(category_ids) WITH ORDINALITY AS c (id, n))::tsvector, ''), 'B')
        || setweight(to_tsvector('simple', atlas_normalise(concat_ws(' ',
               nullif(replace(NEW.kind, '_', ' '), 'other'),
               replace(array_to_string(NEW.tags, ' '), '_', ' ')))), 'B')
        || setweight(to_tsvector('simple', atlas_normalise(concat_ws(' ', NEW.city, NEW.region, NEW.postcode))), 'C')
        || setweight(atlas_lang_doc(NEW.summary) || atlas_lang_doc(NEW.description), 'D');
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION atlas_actor_search_columns() IS 'Fills actors.search_doc (names, c:<id> per category and parent, kind, tags, place, texts; no category labels: atlas_search_query matches those) and actors.search_names.';
COMMENT ON COLUMN actors.search_doc IS 'What text search matches, by weight: A name and other names; B the lexeme c:<category id> per category and parent (labels are matched on the query side by atlas_search_query), kind and tags; C city, region and postcode; D summary and description. Maintained by the actors_search_columns trigger.';

-- Category words are learnt from the categories themselves now that actors' documents no
-- longer carry them (a category's search_doc has no weight of its own: as B, like before).
CREATE OR REPLACE FUNCTION atlas_category_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM atlas_learn_words(setweight(NEW.search_doc, 'B'));
    -- An actor's document holds the ids of its categories' parents.
    IF TG_OP = 'UPDATE' AND NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        UPDATE actors SET search_doc = search_doc
        WHERE categories && (ARRAY[NEW.id] || ARRAY(SELECT id FROM categories WHERE parent_id = NEW.id));
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION atlas_category_changed() IS 'After a category write: learn its words; refresh the search documents of its actors when its parent changes.';

-- A text query as tsqueries: each word matches as typed, stemmed in every language (each
-- distinct form once), as a category whose label has it (in any language, or as a part of a
-- compound label), or — when search does not know the word — as a known word within one or
-- two typos (and the categories those name); the last word also as a prefix (the reader may
-- still be typing). match_all needs every word, match_any one of them, match_exact is
-- match_all without typo corrections (for ranking). Words that are stop words in some
-- language are left out.
CREATE OR REPLACE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
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
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names, and typo-corrected against search_vocabulary.';

-- Learn the categories' words, then rebuild every actor's document (fires the triggers).
SELECT count(atlas_learn_words(setweight(search_doc, 'B'))) FROM categories;
UPDATE actors SET search_doc = search_doc;
