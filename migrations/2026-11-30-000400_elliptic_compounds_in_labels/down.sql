-- Back to migration 000290's atlas_categories_named.
CREATE OR REPLACE FUNCTION atlas_categories_named(term text, forms tsquery, corrections text[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ARRAY(
        SELECT 'c:' || c.id FROM categories c
        WHERE length(term) >= 2
          AND (c.search_doc @@ CASE WHEN length(term) >= 4 THEN forms
                                    ELSE replace(forms::text, quote_literal(term) || ':*',
                                                 quote_literal(term))::tsquery END
               OR (length(term) >= 7 AND EXISTS (
                       SELECT 1 FROM unnest(term || corrections) AS w
                       WHERE position(w IN c.search_labels) > 0
                         AND c.search_labels ~ ('(^|[^[:alnum:]]|[[:alnum:]]{3})'
                                                || regexp_replace(w, '([^[:alnum:]])', '\\\1', 'g')))))
        ORDER BY c.id);
END;
COMMENT ON FUNCTION atlas_categories_named(text, tsquery, text[]) IS
    'The categories (''c:<id>'') a query word of 2 letters or more names: a label word matched by forms (the word''s tsquery; a prefix only from 4 letters), or from 7 letters a part of a label''s word (its beginning, or 3 letters or more into it), also through a correction.';
DROP FUNCTION atlas_completes_elliptic_compound(text, text[]);
ALTER TABLE categories DROP COLUMN elliptic_compounds;
DROP FUNCTION atlas_elliptic_compounds(jsonb);
