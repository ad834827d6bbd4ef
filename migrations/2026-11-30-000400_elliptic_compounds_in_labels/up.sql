-- A label may write two compounds with one shared ending ("Gemeinschafts- und
-- Stadtgärten", "Yhteisö- ja kaupunkipuutarhat", "Klima- und Umweltschutz", "Bürger- und
-- Nachbarschaftsinitiativen"): the first compound is not a word of the label, so
-- "Gemeinschaftsgarten", "yhteisöpuutarha", "Klimaschutz" or "Bürgerinitiative" named no
-- category. Each such pair — the first compound's beginning and the second compound,
-- normalised — is stored with its category, and a query word names the category when it is
-- that beginning followed by an ending of the second compound.

CREATE FUNCTION atlas_elliptic_compounds(labels jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(SELECT DISTINCT m[1] || ' ' || m[2]
             FROM jsonb_each_text(coalesce(labels, '{}')) AS l,
                  regexp_matches(atlas_normalise(l.value),
                                 '([[:alpha:]]{2,})- +[[:alpha:]]+ +([[:alpha:]]{5,})', 'g') AS m
             ORDER BY 1);
COMMENT ON FUNCTION atlas_elliptic_compounds(jsonb) IS
    'The elliptic compounds of labels ("gemeinschafts- und stadtgarten"), normalised, each as ''<beginning> <second compound>''.';

ALTER TABLE categories ADD COLUMN elliptic_compounds text[]
    GENERATED ALWAYS AS (atlas_elliptic_compounds(labels)) STORED;
COMMENT ON COLUMN categories.elliptic_compounds IS
    'Pairs ''<beginning> <compound>'' of its labels'' elliptic compounds ("gemeinschafts stadtgarten"; generated).';

-- Whether a normalised word is an elliptic compound's beginning followed by an ending of 4
-- letters or more of its second compound, that ending reaching within 3 letters of that
-- compound's end, give or take 3 letters of inflection at the word's end:
-- "gemeinschaftsgarten" (gemeinschafts + garten, in stadtgarten), "klimaschutz",
-- "yhteisopuutarha", "burgerinitiative"; not "burgerschaft" ("schaft" is not how
-- "nachbarschaftsinitiativen" ends).
CREATE FUNCTION atlas_completes_elliptic_compound(word text, pairs text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN EXISTS (
    SELECT 1
    FROM unnest(pairs) AS p (pair),
         LATERAL (SELECT split_part(p.pair, ' ', 1) AS head, split_part(p.pair, ' ', 2) AS tail) AS x,
         LATERAL (SELECT substr(word, length(x.head) + 1) AS rest) AS r,
         generate_series(0, 3) AS cut (letters),
         LATERAL (SELECT left(r.rest, length(r.rest) - cut.letters) AS ending) AS e
    WHERE starts_with(word, x.head)
      AND length(e.ending) >= 4
      AND position(e.ending IN x.tail) > 0
      AND position(e.ending IN x.tail) + length(e.ending) - 1 >= length(x.tail) - 3);
COMMENT ON FUNCTION atlas_completes_elliptic_compound(text, text[]) IS
    'Whether a normalised word completes one of the elliptic compounds (categories.elliptic_compounds): "klimaschutz" for "klima- und umweltschutz".';

-- Migration 000290's function with one more way to name a category, from 7 letters as the
-- parts of labels' words.
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
                                                || regexp_replace(w, '([^[:alnum:]])', '\\\1', 'g'))))
               -- The beginning compared here first: the function, a query of its own, is
               -- called for the few words that begin so (called for every word and
               -- correction, it cost up to 1 ms a text at 100k actors: "coperativa").
               OR (length(term) >= 7 AND EXISTS (
                       SELECT 1 FROM unnest(term || corrections) AS w,
                                     unnest(c.elliptic_compounds) AS p (pair)
                       WHERE starts_with(w, split_part(p.pair, ' ', 1))
                         AND atlas_completes_elliptic_compound(w, ARRAY[p.pair]))))
        ORDER BY c.id);
END;
COMMENT ON FUNCTION atlas_categories_named(text, tsquery, text[]) IS
    'The categories (''c:<id>'') a query word of 2 letters or more names: a label word matched by forms (the word''s tsquery; a prefix only from 4 letters), or from 7 letters a part of a label''s word (its beginning, or 3 letters or more into it) or an elliptic compound of a label completed ("klimaschutz" for "Klima- und Umweltschutz"), also through a correction.';
