-- Whether a text matched an actor's names, place or texts was asked by filtering the actor's
-- document to one weight first (ts_filter, a copy of the whole document per question, four
-- questions per ranked actor). A query whose every word is restricted to that weight asks the
-- same of the document as it is: every lexeme of an actor's document has a position, so a
-- weight (atlas_actor_search_columns; a lexeme without positions would match any weight
-- here and none after ts_filter).
CREATE FUNCTION atlas_tsquery_weighted(q tsquery, weights text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN regexp_replace(q::text, $re$('(?:[^']|'')*')(?::(\*?)[A-Da-d]*)?$re$, '\1:\2' || weights, 'g')::tsquery;
COMMENT ON FUNCTION atlas_tsquery_weighted(tsquery, text) IS
    'The query with every word restricted to the weights given (''A'', ''CD''), a prefix staying a prefix: document @@ it is ts_filter(document, weights) @@ q for documents whose lexemes all have positions.';
