-- atlas_search_query in steps. Six migrations replaced it whole to change a few of its lines
-- (PostgreSQL has no partial edit of a function), and the rule "a word of a country's name
-- that the text holds whole" was written twice, here and in atlas_names_place (migration
-- 000270). The function now reads as what it does with each word, and each step is a
-- function of its own: a later change replaces one step, not the whole. Split so, it
-- returned the same tsqueries for ~300 texts as before. One step then changed: a label part
-- must be a compound's part (atlas_categories_named: "cherche" is not "recherche").

-- The words of a text as search reads them: normalised, split on anything but letters and
-- digits, at most 12, each at most 40 letters (atlas-store's query_words says the same).
CREATE FUNCTION atlas_query_words(q text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(
    SELECT left(w, 40) FROM regexp_split_to_table(atlas_normalise(left(q, 1000)), '[^[:alnum:]]+')
        WITH ORDINALITY AS s (w, n)
    WHERE w <> '' ORDER BY n LIMIT 12);
COMMENT ON FUNCTION atlas_query_words(text) IS
    'The words of a text as search reads them: normalised, split on anything but letters and digits, at most 12 of at most 40 letters each.';

-- Countries the words name, in one word ("Österreich", "Greece") or several ("United
-- Kingdom", "Bosnia and Herzegovina": their words in that order); each word of such a name
-- with the country's code.
CREATE FUNCTION atlas_countries_named(terms text[]) RETURNS TABLE (word text, country text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT w.word, n.country
    FROM search_country_names n, unnest(string_to_array(n.words, ' ')) AS w (word)
    WHERE n.first_word = ANY (terms)
      AND position(' ' || n.words || ' ' IN ' ' || array_to_string(terms, ' ') || ' ') > 0;
END;
COMMENT ON FUNCTION atlas_countries_named(text[]) IS
    'The words of terms that belong to a country''s name which terms hold whole, in order, each with that country''s code (search_country_names).';

-- Two neighbouring words that search knows written as one ("car sharing": "carsharing",
-- "bees coop": "Beescoop"): element i is words i and i + 1 together, else NULL.
CREATE FUNCTION atlas_joined_words(terms text[]) RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    joined text[];
BEGIN
    FOR i IN 1 .. cardinality(terms) - 1 LOOP
        joined[i] := NULL;
        -- (Every word of a document is in one of the vocabularies: two index probes rule out
        -- most pairs before atlas_known_word probes the documents.)
        IF length(terms[i]) >= 2 AND length(terms[i + 1]) >= 2
           AND (EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = terms[i] || terms[i + 1])
                OR (EXISTS (SELECT 1 FROM search_text_vocabulary t WHERE t.word = terms[i] || terms[i + 1])
                    AND atlas_known_word(terms[i] || terms[i + 1]))) THEN
            joined[i] := terms[i] || terms[i + 1];
        END IF;
    END LOOP;
    RETURN joined;
END;
$$;
COMMENT ON FUNCTION atlas_joined_words(text[]) IS
    'For each two neighbouring words, the word they make together when search knows it (a vocabulary word that a published document holds), else NULL; element i joins words i and i + 1.';

-- A word as typed (a prefix when it is the last: the user may still be typing) and stemmed
-- in each language, each form once; NULL when some language takes it for a stop word.
CREATE FUNCTION atlas_word_forms(term text, is_last boolean) RETURNS tsquery[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    forms tsquery[] := ARRAY[to_tsquery('simple', term || CASE WHEN is_last THEN ':*' ELSE '' END)];
    form tsquery;
    cfg regconfig;
BEGIN
    FOREACH cfg IN ARRAY atlas_query_configs() LOOP
        form := plainto_tsquery(cfg, term);
        IF numnode(form) = 0 THEN
            RETURN NULL;
        END IF;
        forms := forms || form;
    END LOOP;
    RETURN forms;
END;
$$;
COMMENT ON FUNCTION atlas_word_forms(text, boolean) IS
    'A query word as typed (a prefix if it is the last) and stemmed in each language; NULL when a language takes it for a stop word.';

-- What a misspelt word may mean: each correction as typed and the closest also stemmed in
-- each language, as the word typed right would be ("sustainabilty" finds what
-- "sustainability" finds, its stem "sustain", not only the texts with that very word).
CREATE FUNCTION atlas_correction_forms(corrections text[]) RETURNS tsquery[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    forms tsquery[] := ARRAY(SELECT to_tsquery('simple', c) FROM unnest(corrections) WITH ORDINALITY AS s (c, n) ORDER BY n);
    form tsquery;
    cfg regconfig;
BEGIN
    IF cardinality(corrections) > 0 THEN
        FOREACH cfg IN ARRAY atlas_query_configs() LOOP
            form := plainto_tsquery(cfg, corrections[1]);
            IF numnode(form) > 0 THEN
                forms := forms || form;
            END IF;
        END LOOP;
    END IF;
    RETURN forms;
END;
$$;
COMMENT ON FUNCTION atlas_correction_forms(text[]) IS
    'Typo corrections of a word as tsqueries: each as typed, the first (closest) also stemmed in each language.';

-- The categories a word names (as 'c:<id>' lexemes): a label word in any language (stemmed
-- as the label's language; `forms` is the word's tsquery), or — from 7 letters, as short
-- words hide inside too many others ("wien" in "upodmiotowienie") — a part of a label
-- ("genossenschaft" in "Wohnungsgenossenschaften"), also through a correction of the word.
-- Such a part begins a label's word or lies three letters or more into it, as a compound's
-- part does: French "cherche" (I look for) is not in "recherche" (research), which put the
-- research actors first for "je cherche une ressourcerie à Lyon".
-- (As a prefix, the last word names a category from 4 letters: in labels of fifteen
-- languages, "uk" begins Croatian "uključivanje", inclusion. A word of one letter names
-- none: the labels' one-letter words are prepositions, Czech "v" in "Vzdělávání v …".)
CREATE FUNCTION atlas_categories_named(term text, forms tsquery, corrections text[]) RETURNS text[]
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

-- The forms, each once (the first of equal ones kept), OR-ed in their order; NULL if none.
CREATE FUNCTION atlas_any_of(forms tsquery[]) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    result tsquery;
    seen text[] := '{}';
    form tsquery;
BEGIN
    FOREACH form IN ARRAY coalesce(forms, '{}') LOOP
        CONTINUE WHEN form::text = ANY (seen);
        result := coalesce(result || form, form);
        seen := seen || form::text;
    END LOOP;
    RETURN result;
END;
$$;
COMMENT ON FUNCTION atlas_any_of(tsquery[]) IS
    'The distinct tsqueries of forms OR-ed in their order (the first of equal ones kept); NULL for none.';

-- It also returns its words and each word's tsqueries (NULL for a stop word): a text that no
-- actor matches whole is relaxed by leaving words out (atlas-store's relax_text), which
-- expanded the text again for every word left out (8 ms each at 100k actors for a sentence).
DROP FUNCTION atlas_search_query(text);
CREATE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery,
                                   OUT words text[], OUT word_all tsquery[], OUT word_exact tsquery[])
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    terms text[] := atlas_query_words(q);
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
    named_categories text[];
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
        forms := forms || countries
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
        -- A transposition counts as two edits, so six letters and more allow two. A word
        -- search knows is taken as meant: "wien" is not corrected to "when".
        corrections := atlas_typo_corrections(term, CASE WHEN names_place THEN 0
                                                         WHEN length(term) >= 6 THEN 2
                                                         WHEN length(term) >= 4 THEN 1 ELSE 0 END);
        typos := atlas_any_of(ARRAY(SELECT f FROM unnest(atlas_correction_forms(corrections)) WITH ORDINALITY AS s (f, n)
                                    WHERE NOT f = ANY (forms) ORDER BY n));
        -- The categories the word names, and those its corrections name (which count as
        -- corrections).
        named_categories := atlas_categories_named(term, exact, corrections);
        FOREACH category IN ARRAY named_categories LOOP
            exact := exact || quote_literal(category)::tsquery;
        END LOOP;
        IF typos IS NOT NULL THEN
            FOR category IN
                SELECT 'c:' || c.id FROM categories c
                WHERE c.search_doc @@ typos AND NOT ('c:' || c.id) = ANY (named_categories)
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
$$;
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names, as the local names of a town it names (search_place_aliases), as the country it names (cc:<code>, search_country_names), as the two known words of an unknown compound, as the known word it makes with a neighbour, and typo-corrected against search_vocabulary and search_text_vocabulary (the closest correction also stemmed). Also its words (atlas_query_words) and each word''s tsqueries, with and without corrections (NULL for a stop word). Each step is a function of its own (migration 000290).';

-- The same country rule as search's (atlas_countries_named), and the same words.
CREATE OR REPLACE FUNCTION atlas_names_place(word text, q text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN atlas_names_town(atlas_normalise(word))
    OR cardinality(atlas_town_aliases(atlas_normalise(word))) > 0
    OR EXISTS (SELECT 1 FROM atlas_countries_named(atlas_query_words(q)) c
               WHERE c.word = atlas_normalise(atlas_names_place.word));
COMMENT ON FUNCTION atlas_names_place(text, text) IS
    'Whether a word of the text q names a place: a town of 50,000 people or more (any of its names, or an alias of its actors'' city), or a country (a word of a country''s name that q holds whole; atlas_countries_named).';
