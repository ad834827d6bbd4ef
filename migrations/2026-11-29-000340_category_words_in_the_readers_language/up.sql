-- A text that names a category in some language other than English ("Tafel", "banque
-- alimentaire", "банка за храни") says which language its reader writes: the category's
-- actors writing that language come first (sql/search_score.sql). Before, they were ranked
-- by their names' likeness to the text alone, whatever their language ("Tafel" listed an
-- Estonian food bank first, "банка за храни" British ones).

-- Each label's document on its own (as atlas_lang_doc makes them, in the labels' order),
-- stored per category: making them per query cost 4-15 ms at 100k actors ("Tafel",
-- "coperativa": every category a word names, 15 languages each).
CREATE FUNCTION atlas_label_docs(labels jsonb) RETURNS tsvector[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(SELECT atlas_lang_doc(jsonb_build_object(l.key, l.value))
             FROM jsonb_each_text(labels) WITH ORDINALITY AS l (key, value, n) ORDER BY l.n);
COMMENT ON FUNCTION atlas_label_docs(jsonb) IS
    'The search document (atlas_lang_doc) of each label, in the order jsonb_each_text gives the labels.';
ALTER TABLE categories ADD COLUMN label_docs tsvector[]
    GENERATED ALWAYS AS (atlas_label_docs(labels)) STORED;
COMMENT ON COLUMN categories.label_docs IS
    'The search document of each label, in the order of jsonb_object_keys(labels): which language''s label holds a query''s words.';

-- The languages of the category labels that hold every word of a query (its match_whole,
-- atlas_search_query), for the categories whose c:<id> alone matches it: none when English
-- is among them (the Atlas's common language: a text in English says nothing of where its
-- reader is, and words such as "bio" are in most languages' labels).
CREATE FUNCTION atlas_label_languages(whole tsquery) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN 'en' = ANY (langs) THEN '{}'::text[] ELSE langs END
    FROM (SELECT ARRAY(SELECT DISTINCT k.lang
                       FROM categories c,
                            jsonb_object_keys(c.labels) WITH ORDINALITY AS k (lang, n)
                       WHERE array_to_tsvector(ARRAY['c:' || c.id]) @@ whole
                         AND c.label_docs[k.n] @@ whole
                       ORDER BY k.lang) AS langs) AS found;
END;
COMMENT ON FUNCTION atlas_label_languages(tsquery) IS
    'The languages (other than English) of the labels of the categories named by the whole query that hold every word of it; empty when English is among them.';

-- Function words of the languages written in Cyrillic letters the Atlas has no stemmer for
-- (Bulgarian, Serbian, Macedonian, Ukrainian) are mostly Russian ones: "за", "и", "на", "от".
-- Read as words, "за" named ten categories (their Bulgarian labels have it), so
-- "банка за храни" matched actors with a finance, a food and any third category.
CREATE OR REPLACE FUNCTION atlas_is_stop_word(word text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM unnest(atlas_query_configs() || 'russian'::regconfig) AS cfg
               WHERE numnode(plainto_tsquery(cfg, word)) = 0);
COMMENT ON FUNCTION atlas_is_stop_word(text) IS
    'Whether some language search reads (atlas_query_configs), or Russian (for the function words of Cyrillic languages without a stemmer), takes the word for a stop word.';
