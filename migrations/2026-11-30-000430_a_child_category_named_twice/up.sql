-- A word of a text that names a parent category and one of its children, when another word
-- names that child too, means the child (atlas_search_query below): "repair cafe Brighton"
-- is the repair cafés, not every actor under "Circular economy, repair & reuse" with "cafe"
-- in a text. The parent then still counts for the actors filed under it directly, so a
-- document holds each of the actor's own categories a second time, as c:=<id>: c:<id> is
-- there for the actor's categories and their parents alike.
--
-- The rows are written again for that, and search_names with them:
-- it ended with a space for an actor without other names (concat_ws of an empty string),
-- which made every edit distance to the names one more (sql/search_score.sql trimmed it).

-- What search compares names with: the name and other names, normalised, and when they are
-- in Greek or Cyrillic letters also in Latin letters, for typing them on a Latin keyboard
-- (suggestions and similarity ranking read search_names).
CREATE FUNCTION atlas_actor_search_names(name text, alt_names text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT CASE WHEN atlas_latin(n.names) <> n.names THEN n.names || ' ' || atlas_latin(n.names)
                    ELSE n.names END
        FROM (SELECT atlas_normalise(concat_ws(' ', name, nullif(array_to_string(alt_names, ' '), '')))
                     AS names) AS n);
COMMENT ON FUNCTION atlas_actor_search_names(text, text[]) IS
    'actors.search_names of a name and other names: normalised, with a Latin spelling of Greek or Cyrillic letters.';

-- Positions of their own, as the c:<id> lexemes have: a lexeme without positions has no
-- weight, and a query restricted to names or texts would match it.
CREATE FUNCTION atlas_own_category_lexemes(categories text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN setweight(coalesce((SELECT string_agg(quote_literal('c:=' || own.id) || ':' || own.n, ' ')
                           FROM unnest(categories) WITH ORDINALITY AS own (id, n))::tsvector, ''), 'B');
COMMENT ON FUNCTION atlas_own_category_lexemes(text[]) IS
    'The lexemes c:=<id> of an actor''s own categories (weight B): what a query asks for when it means a category and not its children.';

CREATE OR REPLACE FUNCTION atlas_actor_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    names text := atlas_actor_search_names(NEW.name, NEW.alt_names);
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
        || setweight(atlas_lang_doc(NEW.summary) || atlas_lang_doc(NEW.description), 'D')
        -- Each of its own categories again as c:=<id>, for a word meaning that category and
        -- not its children (atlas_search_query). Last, as the rows written by migration
        -- 000430 have them: a tsvector added after another has its positions moved past the
        -- other's, and ts_rank reads positions.
        || atlas_own_category_lexemes(NEW.categories);
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION atlas_actor_search_columns() IS 'Fills actors.search_doc (names; c:<id> per category and parent and c:=<id> per own category; kind, tags, place, texts; no category labels: atlas_search_query matches those) and actors.search_names.';
COMMENT ON COLUMN actors.search_doc IS 'What text search matches, by weight: A name and other names; B the lexeme c:<category id> per category and parent and c:=<category id> per own category (labels are matched on the query side by atlas_search_query), kind and tags; C city, region, postcode and cc:<country>; D summary and description. Maintained by the actors_search_columns trigger.';

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
    -- (Not position, the loops' name: categories has a column of that name.)
    word integer;
    narrowed_all tsquery;
    narrowed_exact tsquery;
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
        -- (match_all and match_exact are made below, from the words' narrowed tsqueries.)
        match_any := coalesce(match_any || with_typos, with_typos);
    END LOOP;
    -- A word that names a parent category and one of its children, when another word of the
    -- text names that child too, means the child: the parent counts for its own actors only
    -- (c:=<id>), not for those of its other children. "repair cafe Brighton" listed food
    -- redistributors in Brighton: "repair" names the repair category and its parent
    -- "Circular economy, repair & reuse", whose child zero waste they are in, and "cafe" and
    -- "Brighton" were in their texts. "cooperativa de vivienda" listed a homeless shelter
    -- run by a food co-op ("vivienda": "Vivienda y hábitat"). A word alone keeps the
    -- parent's children ("housing" still finds the homeless shelters), and so do each word's
    -- own tsqueries (word_all, word_exact), from which a relaxed text is made, and match_any:
    -- without the other word, "repair Brighton" means what "repair" alone does.
    FOR word IN 1 .. cardinality(terms) LOOP
        narrowed_all := word_all[word];
        narrowed_exact := word_exact[word];
        CONTINUE WHEN narrowed_all IS NULL;
        FOR category IN
            SELECT p.id FROM categories p
            WHERE array_to_tsvector(ARRAY['c:' || p.id]) @@ word_all[word]
              AND EXISTS (SELECT 1
                          FROM categories c, unnest(word_all) WITH ORDINALITY AS other (q, n)
                          WHERE c.parent_id = p.id AND other.n <> word
                            -- (The same word typed twice is still one.)
                            AND terms[other.n] <> terms[word]
                            AND array_to_tsvector(ARRAY['c:' || c.id]) @@ word_all[word]
                            AND array_to_tsvector(ARRAY['c:' || c.id]) @@ other.q)
            ORDER BY p.id
        LOOP
            narrowed_all := replace(narrowed_all::text, quote_literal('c:' || category),
                                    quote_literal('c:=' || category))::tsquery;
            narrowed_exact := replace(narrowed_exact::text, quote_literal('c:' || category),
                                      quote_literal('c:=' || category))::tsquery;
        END LOOP;
        match_all := coalesce(match_all && narrowed_all, narrowed_all);
        match_exact := coalesce(match_exact && narrowed_exact, narrowed_exact);
    END LOOP;
END;
$function$;
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names (a parent only for its own actors, c:=<id>, when another word names the child it names too), as the local names of a town it names (search_place_aliases), as the country it names (cc:<code>, search_country_names), as the two known words of an unknown compound, as the known word it makes with a neighbour, and typo-corrected against search_vocabulary and search_text_vocabulary (the closest correction also stemmed). Also its words (atlas_query_words) and each word''s tsqueries, with and without corrections (NULL for a stop word). Each step is a function of its own (migration 000290).';

-- Actors' documents and names, with only the trigger that follows them: the search
-- postings. Nothing a reader of the change feed, the exports or the map sees changes. The
-- own categories are added as the trigger adds them (last), so documents are not computed
-- again (which stems every text: 3.5 min at 100k actors).
ALTER TABLE actors DISABLE TRIGGER USER;
ALTER TABLE actors ENABLE TRIGGER actors_search_postings_update;
UPDATE actors SET search_doc = search_doc || atlas_own_category_lexemes(categories),
                  search_names = atlas_actor_search_names(name, alt_names)
WHERE cardinality(categories) > 0 OR search_names <> atlas_actor_search_names(name, alt_names);
ALTER TABLE actors ENABLE TRIGGER USER;
