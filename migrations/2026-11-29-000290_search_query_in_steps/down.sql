-- Back to migration 000280's query in one function, and 000270's atlas_names_place.
DROP FUNCTION atlas_search_query(text);
CREATE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery)
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    terms text[];
    term text;
    position integer := 0;
    cfg regconfig;
    is_stop_word boolean;
    form tsquery;
    seen text[];
    exact tsquery;
    typos tsquery;
    with_typos tsquery;
    corrected text;
    corrections text[];
    named_categories text[];
    max_typos integer;
    aliases text[];
    alias text;
    split text;
    spaced text;
    country_words text[];
    country_codes text[];
    countries text[];
    code text;
    joined text[];
    pair text;
BEGIN
    terms := ARRAY(
        SELECT left(w, 40) FROM regexp_split_to_table(atlas_normalise(left(q, 1000)), '[^[:alnum:]]+')
            WITH ORDINALITY AS s (w, n)
        WHERE w <> '' ORDER BY n LIMIT 12);
    -- Countries the text names, in one word ("Österreich", "Greece") or several ("United
    -- Kingdom", "Bosnia and Herzegovina": their words in that order).
    spaced := ' ' || array_to_string(terms, ' ') || ' ';
    SELECT array_agg(n.words), array_agg(n.country) INTO country_words, country_codes
    FROM search_country_names n
    WHERE n.first_word = ANY (terms) AND position(' ' || n.words || ' ' IN spaced) > 0;
    -- Two neighbouring words that search knows written as one ("car sharing": "carsharing",
    -- "bees coop": "Beescoop"): joined[i] is words i and i + 1 together, else NULL.
    FOR i IN 1 .. cardinality(terms) - 1 LOOP
        -- (Every word of a document is in one of the vocabularies: two index probes rule out
        -- most pairs before atlas_known_word probes the documents.)
        IF length(terms[i]) >= 2 AND length(terms[i + 1]) >= 2
           AND (EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = terms[i] || terms[i + 1])
                OR (EXISTS (SELECT 1 FROM search_text_vocabulary t WHERE t.word = terms[i] || terms[i + 1])
                    AND atlas_known_word(terms[i] || terms[i + 1]))) THEN
            joined[i] := terms[i] || terms[i + 1];
        END IF;
    END LOOP;
    FOREACH term IN ARRAY terms LOOP
        position := position + 1;
        is_stop_word := false;
        exact := to_tsquery('simple', term || CASE WHEN position = cardinality(terms) THEN ':*' ELSE '' END);
        seen := ARRAY[exact::text];
        FOREACH cfg IN ARRAY atlas_query_configs() LOOP
            form := plainto_tsquery(cfg, term);
            IF numnode(form) = 0 THEN
                is_stop_word := true;
                EXIT;
            END IF;
            IF NOT form::text = ANY (seen) THEN
                exact := exact || form;
                seen := seen || form::text;
            END IF;
        END LOOP;
        CONTINUE WHEN is_stop_word;
        -- A word of a country's name also means the actors in that country, and is meant as
        -- typed (no typo corrections, no split).
        countries := ARRAY(SELECT DISTINCT 'cc:' || lower(c.country)
                           FROM unnest(country_words, country_codes) AS c (words, country)
                           WHERE term = ANY (string_to_array(c.words, ' '))
                           ORDER BY 1);
        FOREACH code IN ARRAY countries LOOP
            exact := exact || quote_literal(code)::tsquery;
        END LOOP;
        -- Each of two words also means the one word they make together (a document with it
        -- matches both).
        FOREACH pair IN ARRAY ARRAY[joined[position - 1], joined[position]] LOOP
            CONTINUE WHEN pair IS NULL;
            form := to_tsquery('simple', quote_literal(pair));
            IF NOT form::text = ANY (seen) THEN
                exact := exact || form;
                seen := seen || form::text;
            END IF;
        END LOOP;
        -- A town named in another language or script also means the name its actors give
        -- ("vienna" or "Bécs": "wien"); such a word is taken as meant, not as a typo
        -- ("munich" is not "music").
        aliases := atlas_town_aliases(term);
        FOREACH alias IN ARRAY aliases LOOP
            form := to_tsquery('simple', alias);
            IF NOT form::text = ANY (seen) THEN
                exact := exact || form;
                seen := seen || form::text;
            END IF;
        END LOOP;
        -- A word search does not know may be two it knows written as one ("zerowaste",
        -- "energiegenossenschaft"): it also means both, each as a word of its own (stemmed,
        -- and the categories it names). The parts are known words, so this recursion ends.
        split := CASE WHEN cardinality(aliases) = 0 AND cardinality(countries) = 0
                      THEN atlas_compound_split(term) END;
        IF split IS NOT NULL THEN
            exact := exact || (SELECT s.match_exact FROM atlas_search_query(split) s);
        END IF;
        -- A transposition counts as two edits, so six letters and more allow two. A word
        -- search knows is taken as meant: "wien" is not corrected to "when".
        max_typos := CASE WHEN cardinality(aliases) > 0 OR cardinality(countries) > 0 THEN 0
                          WHEN length(term) >= 6 THEN 2 WHEN length(term) >= 4 THEN 1 ELSE 0 END;
        corrections := atlas_typo_corrections(term, max_typos);
        typos := NULL;
        FOREACH corrected IN ARRAY corrections LOOP
            form := to_tsquery('simple', corrected);
            IF NOT form::text = ANY (seen) THEN
                typos := coalesce(typos || form, form);
                seen := seen || form::text;
            END IF;
        END LOOP;
        -- The closest correction is also stemmed in each language, as the word typed right
        -- would be: "sustainabilty" finds what "sustainability" finds (its stem "sustain"),
        -- not only the texts with that very word.
        IF cardinality(corrections) > 0 THEN
            FOREACH cfg IN ARRAY atlas_query_configs() LOOP
                form := plainto_tsquery(cfg, corrections[1]);
                IF numnode(form) > 0 AND NOT form::text = ANY (seen) THEN
                    typos := coalesce(typos || form, form);
                    seen := seen || form::text;
                END IF;
            END LOOP;
        END IF;
        -- Categories the word names: a label word in any language (stemmed as the label's
        -- language), or — from 7 letters, as short words hide inside too many others ("wien"
        -- in "upodmiotowienie") — a part of a label ("genossenschaft" in
        -- "Wohnungsgenossenschaften"), also through a correction of the word. Typo
        -- corrections that name a label word count as corrections.
        -- (The last word as a prefix names a category from 4 letters: in labels of fifteen
        -- languages, "uk" begins Croatian "uključivanje", inclusion.)
        named_categories := ARRAY(
            SELECT 'c:' || c.id FROM categories c
            WHERE c.search_doc @@ CASE WHEN length(term) >= 4 THEN exact
                                       ELSE replace(exact::text, quote_literal(term) || ':*',
                                                    quote_literal(term))::tsquery END
               OR (length(term) >= 7 AND EXISTS (
                       SELECT 1 FROM unnest(term || corrections) AS w
                       WHERE position(w IN c.search_labels) > 0))
            ORDER BY c.id);
        FOREACH corrected IN ARRAY named_categories LOOP
            exact := exact || quote_literal(corrected)::tsquery;
        END LOOP;
        IF typos IS NOT NULL THEN
            FOR corrected IN
                SELECT 'c:' || c.id FROM categories c
                WHERE c.search_doc @@ typos AND NOT ('c:' || c.id) = ANY (named_categories)
                ORDER BY c.id
            LOOP
                typos := typos || quote_literal(corrected)::tsquery;
            END LOOP;
        END IF;
        with_typos := CASE WHEN typos IS NULL THEN exact ELSE exact || typos END;
        -- NULL until the first word: a query of stop words or punctuation matches nothing.
        match_all := coalesce(match_all && with_typos, with_typos);
        match_any := coalesce(match_any || with_typos, with_typos);
        match_exact := coalesce(match_exact && exact, exact);
    END LOOP;
END;
$$;
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names, as the local names of a town it names (search_place_aliases), as the country it names (cc:<code>, search_country_names), as the two known words of an unknown compound, as the known word it makes with a neighbour, and typo-corrected against search_vocabulary and search_text_vocabulary (the closest correction also stemmed).';

CREATE OR REPLACE FUNCTION atlas_names_place(word text, q text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN atlas_names_town(atlas_normalise(word))
    OR cardinality(atlas_town_aliases(atlas_normalise(word))) > 0
    OR EXISTS (SELECT 1 FROM search_country_names n
               WHERE atlas_normalise(word) = ANY (string_to_array(n.words, ' '))
                 AND position(' ' || n.words || ' '
                              IN ' ' || trim(regexp_replace(atlas_normalise(q), '[^[:alnum:]]+', ' ', 'g')) || ' ') > 0);
COMMENT ON FUNCTION atlas_names_place(text, text) IS
    'Whether a word of the text q names a place: a town of 50,000 people or more (any of its names, or an alias of its actors'' city), or a country (a word of a country''s name that q holds whole).';

DROP FUNCTION atlas_any_of(tsquery[]);
DROP FUNCTION atlas_categories_named(text, tsquery, text[]);
DROP FUNCTION atlas_correction_forms(text[]);
DROP FUNCTION atlas_word_forms(text, boolean);
DROP FUNCTION atlas_joined_words(text[]);
DROP FUNCTION atlas_countries_named(text[]);
DROP FUNCTION atlas_query_words(text);
