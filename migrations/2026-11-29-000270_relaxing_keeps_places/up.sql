-- When no actor has every word of a text, the page drops a word (atlas-store's relax_text).
-- A place the text names is what its user least wants to lose: "housing cooperative vienna"
-- listed a British food co-op first (two of the three words, many times), Wohnprojekt Wien
-- sixth; "social enterprise Bulgaria" listed British social enterprises. relax_text now
-- first drops only words that name no place; this function says which do.

CREATE FUNCTION atlas_names_place(word text, q text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN atlas_names_town(atlas_normalise(word))
    OR cardinality(atlas_town_aliases(atlas_normalise(word))) > 0
    OR EXISTS (SELECT 1 FROM search_country_names n
               WHERE atlas_normalise(word) = ANY (string_to_array(n.words, ' '))
                 AND position(' ' || n.words || ' '
                              IN ' ' || trim(regexp_replace(atlas_normalise(q), '[^[:alnum:]]+', ' ', 'g')) || ' ') > 0);
COMMENT ON FUNCTION atlas_names_place(text, text) IS
    'Whether a word of the text q names a place: a town of 50,000 people or more (any of its names, or an alias of its actors'' city), or a country (a word of a country''s name that q holds whole).';
