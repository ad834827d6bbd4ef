-- Search documents hold two more kinds of words.
--
-- Words written inside web and mail addresses, paths and unspaced punctuation. PostgreSQL's
-- text parser keeps "foodsharing.at", "www.slowfood.de", "info@kostnix.at", "Kultur/Bildung",
-- "e.V." and "ecology.Our" (a missing space after a full stop) as single tokens, while a
-- query is split into its words ("foodsharing", "kultur"): those words were in 15% of the
-- seed's actors and no query could find them except as a prefix. Documents are now made of
-- the same words a query is split into: every run of characters that is neither a letter, a
-- digit nor a hyphen (hyphenated words keep the parser's whole-and-parts lexemes) becomes a
-- space before parsing.
--
-- Names and places in Greek or Cyrillic letters, also in Latin letters, as people type them
-- on a Latin keyboard: "Άνεμος Ανανέωσης" is also "anemos ananeosis", "София" also "sofiya"
-- (one letter from "sofia", which typo tolerance covers). Names, where the words are
-- learnt for typo corrections and suggestions, and places; not the texts.

CREATE FUNCTION atlas_search_text(input text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN regexp_replace(atlas_normalise(input), '[^[:alnum:]-]+', ' ', 'g');
COMMENT ON FUNCTION atlas_search_text(text) IS
    'What search documents parse: atlas_normalise, with every run of characters other than letters, digits and hyphens made a space ("foodsharing.at" -> "foodsharing at"), as queries are split.';

-- Greek and Cyrillic letters of a normalised text (lowercase, no accents) in Latin letters,
-- one common way (ISO 843 for Greek, simplified; the Bulgarian official system, with the
-- letters of the other Cyrillic alphabets): "ανεμος" -> "anemos", "българска" -> "balgarska".
CREATE FUNCTION atlas_latin(normalised text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN translate(
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
            normalised,
            'ου', 'ou'), 'θ', 'th'), 'χ', 'ch'), 'ψ', 'ps'),
            'ж', 'zh'), 'х', 'h'), 'ц', 'ts'), 'ч', 'ch'), 'щ', 'sht'), 'ш', 'sh'),
            'ю', 'yu'), 'я', 'ya'), 'є', 'ye'), 'ї', 'yi'), 'ђ', 'dj'), 'љ', 'lj'),
            'њ', 'nj'), 'џ', 'dz'), 'ѓ', 'gj'), 'ќ', 'kj'),
        'αβγδεζηικλμνξοπρσςτυφω' || 'абвгдезийклмнопрстуфъьыэёіґјћѕ',
        'avgdeziiklmnxoprsstyfo' || 'abvgdeziyklmnoprstufayyeeigjcz');
COMMENT ON FUNCTION atlas_latin(text) IS
    'Greek and Cyrillic letters of a normalised text in Latin letters ("ανεμος" -> "anemos"); other letters unchanged.';

CREATE OR REPLACE FUNCTION atlas_lang_doc(texts jsonb) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT coalesce(atlas_tsvector_agg(
                to_tsvector(atlas_ts_config(t.key), atlas_search_text(t.value))
                || to_tsvector('simple', atlas_search_text(t.value))), '')
            FROM jsonb_each_text(coalesce(texts, '{}')) AS t);

CREATE OR REPLACE FUNCTION atlas_actor_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    names text := atlas_normalise(concat_ws(' ', NEW.name, array_to_string(NEW.alt_names, ' ')));
    latin_names text := atlas_latin(names);
    place text := atlas_search_text(concat_ws(' ', NEW.city, NEW.region, NEW.postcode));
    latin_place text := atlas_latin(place);
    name_words text;
    text_langs text[] := ARRAY(SELECT jsonb_object_keys(NEW.summary || NEW.description));
    name_doc tsvector;
    lang text;
    category_ids text[] := ARRAY(SELECT c.id FROM categories c
                                 WHERE c.id = ANY (NEW.categories)
                                    OR c.id IN (SELECT p.parent_id FROM categories p WHERE p.id = ANY (NEW.categories)));
BEGIN
    -- Names in Greek or Cyrillic letters are also kept in Latin letters, for typing them on
    -- a Latin keyboard (suggestions and similarity ranking read search_names too).
    IF latin_names <> names THEN
        names := names || ' ' || latin_names;
    END IF;
    IF latin_place <> place THEN
        place := place || ' ' || latin_place;
    END IF;
    name_words := atlas_search_text(names);
    name_doc := to_tsvector('simple', name_words) || to_tsvector('english', name_words);
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
        || setweight(to_tsvector('simple', place), 'C')
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
