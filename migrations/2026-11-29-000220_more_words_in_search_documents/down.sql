-- Back to documents parsed from the normalised text as it is, without Latin spellings (000030's atlas_lang_doc,
-- 000150's atlas_actor_search_columns).
CREATE OR REPLACE FUNCTION atlas_lang_doc(texts jsonb) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT coalesce(atlas_tsvector_agg(
                to_tsvector(atlas_ts_config(t.key), atlas_normalise(t.value))
                || to_tsvector('simple', atlas_normalise(t.value))), '')
            FROM jsonb_each_text(coalesce(texts, '{}')) AS t);

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

UPDATE categories SET labels = labels;
ALTER TABLE actors DISABLE TRIGGER USER;
ALTER TABLE actors ENABLE TRIGGER actors_search_columns;
ALTER TABLE actors ENABLE TRIGGER actors_search_postings_update;
UPDATE actors SET search_doc = search_doc;
ALTER TABLE actors ENABLE TRIGGER USER;

DROP FUNCTION atlas_latin(text);
DROP FUNCTION atlas_search_text(text);
