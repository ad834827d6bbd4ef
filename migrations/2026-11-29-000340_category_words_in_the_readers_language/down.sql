-- Back to migration 000310's stop words; no label languages.
CREATE OR REPLACE FUNCTION atlas_is_stop_word(word text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM unnest(atlas_query_configs()) AS cfg
               WHERE numnode(plainto_tsquery(cfg, word)) = 0);
COMMENT ON FUNCTION atlas_is_stop_word(text) IS
    'Whether some language search reads (atlas_query_configs) takes the word for a stop word.';

DROP FUNCTION atlas_label_languages(tsquery);
ALTER TABLE categories DROP COLUMN label_docs;
DROP FUNCTION atlas_label_docs(jsonb);
