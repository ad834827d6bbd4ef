-- Back to migration 000260's documents and names and migration 000390's atlas_search_query.
CREATE OR REPLACE FUNCTION atlas_actor_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    names text := atlas_normalise(concat_ws(' ', NEW.name, array_to_string(NEW.alt_names, ' ')));
    latin_names text := atlas_latin(names);
    place text := atlas_search_text(concat_ws(' ', NEW.city, NEW.region, NEW.postcode));
    latin_place text := atlas_latin(place);
    name_words text;
    text_langs text[] := ARRAY(SELECT jsonb_object_keys(NEW.summary || NEW.description));
    name_doc tsvector;
    lang text;
    category_ids text[] := ARRAY(SELECT c.id FROM categories c
                                 WHERE c.id = ANY (NEW.categories)
                                    OR c.id IN (SELECT p.parent_id FROM categories p WHERE p.id = ANY (NEW.categories)));
BEGIN
    -- Names in Greek or Cyrillic letters are also kept in Latin letters, for typing them on
    -- a Latin keyboard (suggestions and similarity ranking read search_names too).
    IF latin_names <> names THEN
        names := names || ' ' || latin_names;
    END IF;
    IF latin_place <> place THEN
        place := place || ' ' || latin_place;
    END IF;
    name_words := atlas_search_text(names);
    name_doc := to_tsvector('simple', name_words) || to_tsvector('english', name_words);
    -- Names have no language of their own; stem them like the actor's texts.
    FOREACH lang IN ARRAY text_langs LOOP
        name_doc := name_doc || to_tsvector(atlas_ts_config(lang), name_words);
    END LOOP;
    NEW.search_names := names;
    NEW.search_doc :=
        setweight(name_doc, 'A')
        -- Each c:<id> with a position of its own (array_to_tsvector gives none): a lexeme
        -- without positions has no weight (ts_rank counts it as D, ts_filter drops it).
        || setweight(coalesce((SELECT string_agg(quote_literal('c:' || id) || ':' || n, ' ')
                               FROM unnest(category_ids) WITH ORDINALITY AS c (id, n))::tsvector, ''), 'B')
        || setweight(to_tsvector('simple', atlas_search_text(concat_ws(' ',
               nullif(replace(NEW.kind, '_', ' '), 'other'),
               array_to_string(NEW.tags, ' ')))), 'B')
        || setweight(to_tsvector('simple', place)
                     -- The country as cc:<code> (a query word naming it matches that).
                     || coalesce((quote_literal('cc:' || lower(NEW.country)) || ':1')::tsvector, ''), 'C')
        || setweight(atlas_lang_doc(NEW.summary) || atlas_lang_doc(NEW.description), 'D');
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION atlas_actor_search_columns() IS 'Fills actors.search_doc (names, c:<id> per category and parent, kind, tags, place, texts; no category labels: atlas_search_query matches those) and actors.search_names.';
COMMENT ON COLUMN actors.search_doc IS 'What text search matches, by weight: A name and other names; B the lexeme c:<category id> per category and parent (labels are matched on the query side by atlas_search_query), kind and tags; C city, region and postcode; D summary and description. Maintained by the actors_search_columns trigger.';

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
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names, as the local names of a town it names (search_place_aliases), as the country it names (cc:<code>, search_country_names), as the two known words of an unknown compound, as the known word it makes with a neighbour, and typo-corrected against search_vocabulary and search_text_vocabulary (the closest correction also stemmed). Also its words (atlas_query_words) and each word''s tsqueries, with and without corrections (NULL for a stop word). Each step is a function of its own (migration 000290).';

-- The own categories were added last: without them, documents are migration 000260's.
ALTER TABLE actors DISABLE TRIGGER USER;
ALTER TABLE actors ENABLE TRIGGER actors_search_postings_update;
UPDATE actors SET search_doc = ts_delete(search_doc, ARRAY(SELECT 'c:=' || own.id FROM unnest(categories) AS own (id))),
                  search_names = (SELECT CASE WHEN atlas_latin(n.names) <> n.names
                                              THEN n.names || ' ' || atlas_latin(n.names) ELSE n.names END
                                  FROM (SELECT atlas_normalise(concat_ws(' ', name, array_to_string(alt_names, ' ')))
                                               AS names) AS n)
WHERE cardinality(categories) > 0 OR cardinality(alt_names) = 0;
ALTER TABLE actors ENABLE TRIGGER USER;

DROP FUNCTION atlas_own_category_lexemes(text[]);
DROP FUNCTION atlas_actor_search_names(text, text[]);
