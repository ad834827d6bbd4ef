-- Text search on PostgreSQL alone: accent- and case-insensitive, stemmed per text language
-- (with `simple` alongside), typo tolerant through a vocabulary with trigram and Levenshtein
-- look-ups, and multilingual through the taxonomy's labels. Plus the outbox that keeps an
-- external search index (Meilisearch) in step with the actors table.
--
-- Search columns and the outbox are maintained by triggers, so every write to actors — the
-- importer today, submissions and moderation tomorrow — updates them in its own transaction
-- without each caller having to remember.

CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- unaccent() is only STABLE (it reads its dictionary by search_path); naming the dictionary
-- makes the result depend on the input alone, so it can be declared IMMUTABLE and used in
-- generated columns and indexes.
CREATE FUNCTION atlas_normalise(input text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, input));
COMMENT ON FUNCTION atlas_normalise(text) IS 'Lowercase without accents: what search compares.';

CREATE FUNCTION atlas_ts_config(lang text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE lang
        WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' WHEN 'fr' THEN 'french'
        WHEN 'es' THEN 'spanish' WHEN 'it' THEN 'italian' WHEN 'pt' THEN 'portuguese'
        WHEN 'nl' THEN 'dutch' WHEN 'hu' THEN 'hungarian' WHEN 'ro' THEN 'romanian'
        WHEN 'fi' THEN 'finnish' WHEN 'el' THEN 'greek' WHEN 'da' THEN 'danish'
        WHEN 'sv' THEN 'swedish' WHEN 'no' THEN 'norwegian' WHEN 'nb' THEN 'norwegian'
        WHEN 'lt' THEN 'lithuanian' WHEN 'ca' THEN 'catalan' WHEN 'eu' THEN 'basque'
        WHEN 'ga' THEN 'irish' WHEN 'tr' THEN 'turkish' WHEN 'ru' THEN 'russian'
        WHEN 'sr' THEN 'serbian'
        ELSE 'simple' END::regconfig;
COMMENT ON FUNCTION atlas_ts_config(text) IS 'The text search configuration (stemmer) for an ISO 639-1 language; simple when PostgreSQL has none.';

-- The stemmers a query is expanded with: the query's language is unknown, so every word is
-- looked up in each of them (and as typed, and as a prefix).
CREATE FUNCTION atlas_query_configs() RETURNS regconfig[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['english', 'german', 'french', 'spanish', 'italian', 'portuguese', 'dutch',
                 'hungarian', 'romanian', 'finnish', 'greek']::regconfig[];
COMMENT ON FUNCTION atlas_query_configs() IS 'Stemmers every query word is expanded with.';

CREATE AGGREGATE atlas_tsvector_agg(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '');
COMMENT ON AGGREGATE atlas_tsvector_agg(tsvector) IS 'Concatenates tsvectors.';

-- Text per language ({"de": "…"}): each text stemmed in its own language, and as written.
CREATE FUNCTION atlas_lang_doc(texts jsonb) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT coalesce(atlas_tsvector_agg(
                to_tsvector(atlas_ts_config(t.key), atlas_normalise(t.value))
                || to_tsvector('simple', atlas_normalise(t.value))), '')
            FROM jsonb_each_text(coalesce(texts, '{}')) AS t);
COMMENT ON FUNCTION atlas_lang_doc(jsonb) IS 'tsvector of multilingual text, stemmed per language plus the words as written.';

ALTER TABLE categories
    ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (atlas_lang_doc(labels)) STORED,
    ADD COLUMN search_labels text GENERATED ALWAYS AS (atlas_normalise(labels::text)) STORED;
COMMENT ON COLUMN categories.search_doc IS 'The labels in every language, stemmed per language and as written (generated).';
COMMENT ON COLUMN categories.search_labels IS 'The labels in every language, lowercase without accents, for matching parts of compound words ("genossenschaft" in "wohnungsgenossenschaften"; generated).';

ALTER TABLE actors
    ADD COLUMN search_doc tsvector NOT NULL DEFAULT '',
    ADD COLUMN search_names text NOT NULL DEFAULT '';
COMMENT ON COLUMN actors.search_doc IS 'What text search matches, by weight: A name and other names; B category labels (all languages, parents included), the lexeme c:<category id> per category and parent, kind and tags; C city, region and postcode; D summary and description. Maintained by the actors_search_columns trigger.';
COMMENT ON COLUMN actors.search_names IS 'Name and other names, lowercase without accents, for similarity ranking and suggestions. Maintained by the actors_search_columns trigger.';

CREATE FUNCTION atlas_actor_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION atlas_actor_search_columns() IS 'Fills actors.search_doc and actors.search_names from the row and the taxonomy labels.';
CREATE TRIGGER actors_search_columns BEFORE INSERT OR UPDATE ON actors
    FOR EACH ROW EXECUTE FUNCTION atlas_actor_search_columns();

CREATE INDEX actors_published_search_doc ON actors USING gin (search_doc) WHERE status = 'published';
CREATE INDEX actors_published_search_names ON actors USING gin (search_names gin_trgm_ops) WHERE status = 'published';

-- The words search knows, for correcting typos: a query word with no exact match is also
-- looked up among words within a small edit distance (trigram index first, then Levenshtein).
CREATE TABLE search_vocabulary (
    word text PRIMARY KEY CHECK (word ~ '^[[:alpha:]]{4,30}$')
);
COMMENT ON TABLE search_vocabulary IS 'Words of actor names, places, tags and category labels (lowercase, without accents), for typo correction. Only grows; a stale word merely matches nothing.';
COMMENT ON COLUMN search_vocabulary.word IS 'A word or stem, 4 to 30 letters.';
-- No trigram index: at this size a Levenshtein scan bounded by length is faster than trigram
-- similarity through an index (measured: 1 ms against 11 ms on the seed's vocabulary).
CREATE INDEX search_vocabulary_length ON search_vocabulary (length(word), word);

CREATE FUNCTION atlas_learn_words(doc tsvector) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_vocabulary (word)
    SELECT DISTINCT w FROM unnest(tsvector_to_array(ts_filter(doc, '{a,b,c}'))) AS w
    WHERE w ~ '^[[:alpha:]]{4,30}$'
    ON CONFLICT DO NOTHING;
$$;
COMMENT ON FUNCTION atlas_learn_words(tsvector) IS 'Adds the words of names, categories, tags and places (weights A-C) of a search document to search_vocabulary; descriptions are matched exactly and stemmed, not typo-corrected.';

-- Changes search must see, queued in the writing transaction; a worker applies them to the
-- external index (re-reading the actor) and deletes the row only once that succeeded.
CREATE TABLE search_outbox (
    id              bigserial PRIMARY KEY,
    actor_id        uuid NOT NULL,
    enqueued_at     timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    last_error      text
);
COMMENT ON TABLE search_outbox IS 'Actors whose search document must be upserted or deleted in the search index; written by trigger in the same transaction as the actor change.';
COMMENT ON COLUMN search_outbox.id IS 'Order of enqueueing.';
COMMENT ON COLUMN search_outbox.actor_id IS 'The actor to re-read and index (or remove when no longer published). No foreign key: deletions must be synced too.';
COMMENT ON COLUMN search_outbox.enqueued_at IS 'When the change was committed.';
COMMENT ON COLUMN search_outbox.attempts IS 'Failed attempts so far.';
COMMENT ON COLUMN search_outbox.next_attempt_at IS 'Not retried before this time (exponential back-off after failures).';
COMMENT ON COLUMN search_outbox.claimed_until IS 'A worker holds the row until then; after a crash it is claimed again.';
COMMENT ON COLUMN search_outbox.last_error IS 'Why the last attempt failed.';
CREATE INDEX search_outbox_due ON search_outbox (next_attempt_at, id);

CREATE FUNCTION atlas_actor_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.search_doc IS DISTINCT FROM OLD.search_doc) THEN
        PERFORM atlas_learn_words(NEW.search_doc);
    END IF;
    INSERT INTO search_outbox (actor_id) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION atlas_actor_changed() IS 'After an actor write: learn its words, enqueue it for the search index.';
CREATE TRIGGER actors_changed AFTER INSERT OR UPDATE OR DELETE ON actors
    FOR EACH ROW EXECUTE FUNCTION atlas_actor_changed();

-- When a label changes, the actors in that category (or below it) get new search documents.
CREATE FUNCTION atlas_category_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM atlas_learn_words(NEW.search_doc);
    IF TG_OP = 'UPDATE' AND NEW.labels IS DISTINCT FROM OLD.labels THEN
        UPDATE actors SET search_doc = search_doc
        WHERE categories && (ARRAY[NEW.id] || ARRAY(SELECT id FROM categories WHERE parent_id = NEW.id));
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION atlas_category_changed() IS 'After a category write: learn its words and refresh the search documents of its actors.';
CREATE TRIGGER categories_changed AFTER INSERT OR UPDATE ON categories
    FOR EACH ROW EXECUTE FUNCTION atlas_category_changed();

-- A text query as tsqueries: each word matches as typed, stemmed in every language, as a
-- part of a category label, or — when search does not know the word — as a known word within
-- one or two typos; the last word also as a prefix (the reader may still be typing).
-- match_all needs every word, match_any one of them, match_exact is match_all without typo
-- corrections (for ranking). Words that are stop words in some language are left out.
CREATE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery)
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
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language, and typo-corrected against search_vocabulary.';

-- Fill the new columns for existing rows (fires the triggers above).
SELECT atlas_learn_words(search_doc) FROM categories;
UPDATE actors SET search_doc = search_doc;
