-- Words written inside web and mail addresses, paths and unspaced punctuation are searchable.
--
-- PostgreSQL's text parser keeps "foodsharing.at", "www.slowfood.de", "info@kostnix.at",
-- "Kultur/Bildung", "e.V." and "ecology.Our" (a missing space after a full stop) as single
-- tokens, while a query is split into its words ("foodsharing", "kultur"): those words were
-- in 15% of the seed's actors and no query could find them except as a prefix. Documents are
-- now made of the same words a query is split into: every run of characters that is neither
-- a letter, a digit nor a hyphen (hyphenated words keep the parser's whole-and-parts
-- lexemes) becomes a space before parsing. Names stay as written in search_names (trigram
-- similarity splits them by itself).

CREATE FUNCTION atlas_search_text(input text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN regexp_replace(atlas_normalise(input), '[^[:alnum:]-]+', ' ', 'g');
COMMENT ON FUNCTION atlas_search_text(text) IS
    'What search documents parse: atlas_normalise, with every run of characters other than letters, digits and hyphens made a space ("foodsharing.at" -> "foodsharing at"), as queries are split.';

CREATE OR REPLACE FUNCTION atlas_lang_doc(texts jsonb) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT coalesce(atlas_tsvector_agg(
                to_tsvector(atlas_ts_config(t.key), atlas_search_text(t.value))
                || to_tsvector('simple', atlas_search_text(t.value))), '')
            FROM jsonb_each_text(coalesce(texts, '{}')) AS t);

CREATE OR REPLACE FUNCTION atlas_actor_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    names text := atlas_normalise(concat_ws(' ', NEW.name, array_to_string(NEW.alt_names, ' ')));
    name_words text := atlas_search_text(names);
    text_langs text[] := ARRAY(SELECT jsonb_object_keys(NEW.summary || NEW.description));
    name_doc tsvector := to_tsvector('simple', name_words) || to_tsvector('english', name_words);
    lang text;
    category_ids text[] := ARRAY(SELECT c.id FROM categories c
                                 WHERE c.id = ANY (NEW.categories)
                                    OR c.id IN (SELECT p.parent_id FROM categories p WHERE p.id = ANY (NEW.categories)));
BEGIN
    -- Names have no language of their own; stem them like the actor's texts.
    FOREACH lang IN ARRAY text_langs LOOP
        name_doc := name_doc || to_tsvector(atlas_ts_config(lang), name_words);
    END LOOP;
    NEW.search_names := names;
    NEW.search_doc :=
        setweight(name_doc, 'A')
        -- Each c:<id> with a position of its own (array_to_tsvector gives none): a lexeme
        -- without positions has no weight (ts_rank counts it as D, ts_filter drops it).
        || setweight(coalesce((SELECT string_agg(quote_literal('c:' || id) || ':' || n, ' ')
                               FROM unnest(category_ids) WITH ORDINALITY AS c (id, n))::tsvector, ''), 'B')
        || setweight(to_tsvector('simple', atlas_search_text(concat_ws(' ',
               nullif(replace(NEW.kind, '_', ' '), 'other'),
               array_to_string(NEW.tags, ' ')))), 'B')
        || setweight(to_tsvector('simple', atlas_search_text(concat_ws(' ', NEW.city, NEW.region, NEW.postcode))), 'C')
        || setweight(atlas_lang_doc(NEW.summary) || atlas_lang_doc(NEW.description), 'D');
    RETURN NEW;
END;
$$;

-- Categories' documents are generated columns of atlas_lang_doc: an update recomputes them
-- (and categories_changed learns their words).
UPDATE categories SET labels = labels;

-- Actors' documents, with only the triggers that follow them: the search postings. Nothing
-- a reader of the change feed, the exports or the map sees changes, and Meilisearch splits
-- addresses itself, so no change-feed entry, outbox row, export row or map cell.
ALTER TABLE actors DISABLE TRIGGER USER;
ALTER TABLE actors ENABLE TRIGGER actors_search_columns;
ALTER TABLE actors ENABLE TRIGGER actors_search_postings_update;
UPDATE actors SET search_doc = search_doc;
ALTER TABLE actors ENABLE TRIGGER USER;
-- The new words of names, categories, tags and places, for typo corrections (what
-- actors_changed would have done).
SELECT count(atlas_learn_words(search_doc)) FROM actors;
