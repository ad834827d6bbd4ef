-- A word search does not know was matched exactly by its short stems: "verien" (a typo of
-- "verein") stems to "ver" and "veri" in some languages, "ver" is a token of "ver-laden" in
-- one German text, and that actor (every word "as typed") ranked above the Vereine. A stem
-- three letters or more shorter than an unknown word now counts as a correction. And a category that a
-- correction names through a part of a label ("reparatru": "reparatur" in "Reparatur-…")
-- counted as named by the word typed right; it counts as a correction, as the function's
-- comment always said.
CREATE OR REPLACE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery, OUT words text[], OUT word_all tsquery[], OUT word_exact tsquery[])
 RETURNS record
 LANGUAGE plpgsql
 STABLE PARALLEL RESTRICTED
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    terms text[] := atlas_query_words(q);
    typed_terms text[] := atlas_query_words_as_typed(q);
    typed text;
    country_words text[];
    country_codes text[];
    joined text[];
    term text;
    forms tsquery[];
    countries tsquery[];
    aliases text[];
    names_place boolean;
    split text;
    exact tsquery;
    corrections text[];
    unsure tsquery[];
    named_categories text[];
    corrected_categories text[];
    category text;
    typos tsquery;
    with_typos tsquery;
BEGIN
    words := terms;
    word_all := array_fill(NULL::tsquery, ARRAY[cardinality(terms)]);
    word_exact := word_all;
    SELECT array_agg(c.word), array_agg(c.country) INTO country_words, country_codes
    FROM atlas_countries_named(terms) c;
    joined := atlas_joined_words(terms);
    FOR position IN 1 .. cardinality(terms) LOOP
        term := terms[position];
        -- A stop word typed with its accents is one ("für", "più", "és"), though not as
        -- normalised ("fur", "piu", "es"): the stop lists have them accented. Only a word
        -- typed so is checked so (a typed "bar" is not Hungarian "bár").
        typed := typed_terms[position];
        CONTINUE WHEN typed <> term AND left(atlas_normalise(typed), 40) = term
                      AND atlas_is_stop_word(typed);
        forms := atlas_word_forms(term, position = cardinality(terms));
        CONTINUE WHEN forms IS NULL;
        -- A word of a country's name also means the actors in that country.
        countries := ARRAY(SELECT DISTINCT quote_literal('cc:' || lower(c.country))::tsquery
                           FROM unnest(country_words, country_codes) AS c (word, country)
                           WHERE c.word = term);
        -- A town named in another language or script also means the name its actors give
        -- ("vienna" or "Bécs": "wien").
        aliases := atlas_town_aliases(term);
        -- A country's or a town's name is taken as meant: not split, not typo-corrected
        -- ("munich" is not "music").
        names_place := cardinality(countries) > 0 OR cardinality(aliases) > 0;
        -- A transposition counts as two edits, so six letters and more allow two. A word
        -- search knows is taken as meant: "wien" is not corrected to "when".
        corrections := atlas_typo_corrections(term, CASE WHEN names_place THEN 0
                                                         WHEN length(term) >= 6 THEN 2
                                                         WHEN length(term) >= 4 THEN 1 ELSE 0 END);
        -- A word search does not know (it has corrections) is not meant as a stem that some
        -- language's stemmer cut three letters or more from: "verien" is not "ver" (a token
        -- of "ver-laden"), "comunity" is not Spanish "comun" (whose categories then came
        -- before the community gardens), any more than "verein" or "community". Such stems
        -- count as corrections. An inflection's ending is shorter: a rare word's own stem
        -- stays exact ("frauen", in one German text: "frau").
        unsure := CASE WHEN cardinality(corrections) > 0
                       THEN ARRAY(SELECT f FROM unnest(forms[2:]) AS f
                                  WHERE length(f::text) - 2 <= length(term) - 3)
                       ELSE '{}' END;
        forms := ARRAY(SELECT f FROM unnest(forms) WITH ORDINALITY AS s (f, n)
                       WHERE NOT f = ANY (unsure) ORDER BY n)
            || countries
            -- Each of two words also means the one word they make together (a document with
            -- it matches both).
            || ARRAY(SELECT to_tsquery('simple', quote_literal(pair))
                     FROM unnest(ARRAY[joined[position - 1], joined[position]]) WITH ORDINALITY AS s (pair, n)
                     WHERE pair IS NOT NULL ORDER BY n)
            || ARRAY(SELECT to_tsquery('simple', alias)
                     FROM unnest(aliases) WITH ORDINALITY AS s (alias, n) ORDER BY n);
        exact := atlas_any_of(forms);
        -- A word search does not know may be two it knows written as one ("zerowaste",
        -- "energiegenossenschaft"): it also means both, each as a word of its own (stemmed,
        -- and the categories it names). The parts are known words, so this recursion ends.
        split := CASE WHEN NOT names_place THEN atlas_compound_split(term) END;
        IF split IS NOT NULL THEN
            exact := exact || (SELECT s.match_exact FROM atlas_search_query(split) s);
        END IF;
        typos := atlas_any_of(unsure || ARRAY(SELECT f FROM unnest(atlas_correction_forms(corrections)) WITH ORDINALITY AS s (f, n)
                                              WHERE NOT f = ANY (forms || unsure) ORDER BY n));
        -- The categories the word names, and those its corrections name (which count as
        -- corrections: a part of a label that a correction is, "reparatur" for "reparatru",
        -- counted as the word typed right before).
        named_categories := atlas_categories_named(term, exact, '{}');
        FOREACH category IN ARRAY named_categories LOOP
            exact := exact || quote_literal(category)::tsquery;
        END LOOP;
        IF typos IS NOT NULL THEN
            corrected_categories := CASE WHEN cardinality(corrections) > 0
                                         THEN atlas_categories_named(term, exact, corrections)
                                         ELSE '{}' END;
            FOR category IN
                SELECT 'c:' || c.id FROM categories c
                WHERE (c.search_doc @@ typos OR 'c:' || c.id = ANY (corrected_categories))
                  AND NOT ('c:' || c.id) = ANY (named_categories)
                ORDER BY c.id
            LOOP
                typos := typos || quote_literal(category)::tsquery;
            END LOOP;
        END IF;
        with_typos := CASE WHEN typos IS NULL THEN exact ELSE exact || typos END;
        word_all[position] := with_typos;
        word_exact[position] := exact;
        -- NULL until the first word: a query of stop words or punctuation matches nothing.
        match_all := coalesce(match_all && with_typos, with_typos);
        match_any := coalesce(match_any || with_typos, with_typos);
        match_exact := coalesce(match_exact && exact, exact);
    END LOOP;
END;
$function$;
