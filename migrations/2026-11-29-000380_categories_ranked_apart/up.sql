-- A text that names categories ranked their actors by ts_rank over the categories' c:<id>
-- lexemes, whose positions are only the order of the actor's categories: an actor in six
-- food categories, two of them next to each other, outranked a food bank in two ("банка за
-- храни"), and a category's actors came in the accidental order of their category lists.
-- The score now ranks the words of names, tags, place and texts by ts_rank over the query
-- without its categories, and categories apart (sql/search_score.sql): how many of the
-- text's words name one of the actor's categories, and, for a category the whole text names,
-- how much of the actor is in it.

-- Lexemes are normalised words or c:<id> (no quotes, no spaces), and every word of a query
-- is an alternative of itself and what it names, so a c:<id> always has a '|' beside it.
CREATE FUNCTION atlas_tsquery_without_categories(q tsquery) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN regexp_replace(q::text, $re$ \| 'c:[^']*'|'c:[^']*' \| $re$, '', 'g')::tsquery;
COMMENT ON FUNCTION atlas_tsquery_without_categories(tsquery) IS
    'The query without its c:<category id> alternatives: what it asks of words.';

CREATE FUNCTION atlas_tsquery_categories(q tsquery) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT string_agg(quote_literal(t.term), ' | ' ORDER BY t.term)::tsquery
        FROM atlas_tsquery_terms(q) AS t WHERE t.term LIKE 'c:%');
COMMENT ON FUNCTION atlas_tsquery_categories(tsquery) IS
    'Any of the c:<category id> lexemes of the query (NULL when it names no category).';
