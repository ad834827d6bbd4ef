-- Search understands two more ways people write what actors wrote differently:
--  * a town in another language or script: "Vienna", "Bécs" or "Виена" for the actors in
--    "Wien", "Athens" for "Αθήνα", "Munich" for "München" (GeoNames' alternate names of
--    the gazetteer, migration 000040);
--  * two words written as one: "zerowaste", "repaircafe", "Energiegenossenschaft".

-- The towns actors give, as a word (an alias must be one to be worth adding to a query).
CREATE INDEX actors_published_town ON actors (atlas_normalise(city)) WHERE status = 'published';
-- A town's own name (not its alternate names), for telling ambiguous names apart.
CREATE INDEX gazetteer_places_town_name ON gazetteer_places (atlas_normalise(name))
    WHERE population >= 10000;

-- (word, alias): a word that names a town of 50,000 people or more in some language, and
-- another name of that town which published actors give as their town. A word or an alias
-- that is also the own name of another town of 10,000 or more is left out as ambiguous:
-- "Vienne" is a French town as well as Vienna in French. Read per word at query time
-- (atlas_town_aliases; indexes on gazetteer_names.folded, the actors' towns and the towns'
-- own names: 0.1-1 ms at 100k actors) and whole as Meilisearch's synonyms (~7 s at 100k).
CREATE VIEW search_place_aliases AS
SELECT DISTINCT t.word, o.folded AS alias
-- Each town once, though several of its names fold to the word ("Berlin", "Berlín").
FROM (SELECT DISTINCT n.folded AS word, n.geonameid FROM gazetteer_names n) AS t
JOIN gazetteer_places p ON p.geonameid = t.geonameid
JOIN gazetteer_names o ON o.geonameid = p.geonameid
WHERE p.population >= 50000
  AND t.word ~ '^[[:alpha:]]{4,30}$'
  AND o.folded ~ '^[[:alpha:]]{2,40}$'
  AND o.folded <> t.word
  AND EXISTS (SELECT 1 FROM actors a
              WHERE a.status = 'published' AND atlas_normalise(a.city) = o.folded)
  AND NOT EXISTS (SELECT 1 FROM gazetteer_places y
                  WHERE atlas_normalise(y.name) IN (t.word, o.folded)
                    AND y.population >= 10000 AND y.geonameid <> p.geonameid);
COMMENT ON VIEW search_place_aliases IS
    'A word naming a town (population >= 50,000, GeoNames) and another, unambiguous name of that town that published actors give as their city: "vienna" -> "wien".';

-- The aliases of a word (search_place_aliases), at most 8. Planned once per session (a
-- generic plan): planning the view's joins took ~8 ms, running them 0.1-1 ms.
CREATE FUNCTION atlas_town_aliases(word text) RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN ARRAY(SELECT DISTINCT s.alias FROM search_place_aliases s
                 WHERE s.word = $1 ORDER BY s.alias LIMIT 8);
END
$$;
COMMENT ON FUNCTION atlas_town_aliases(text) IS
    'The other names actors give the town a word names (search_place_aliases), at most 8.';

-- The two words search knows that an unknown word of 8 letters or more is made of, as
-- 'head tail', or NULL: the longest known head first, a German linking s dropped from it
-- ("wohnungsgenossenschaft": "wohnung genossenschaft"). Parts have 4 letters or more, as
-- the words search_vocabulary holds.
CREATE FUNCTION atlas_compound_split(term text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    head text;
    tail text;
BEGIN
    IF length(term) < 8 OR EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = term) THEN
        RETURN NULL;
    END IF;
    FOR i IN REVERSE length(term) - 4 .. 4 LOOP
        head := left(term, i);
        tail := substr(term, i + 1);
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = tail);
        IF EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = head) THEN
            RETURN head || ' ' || tail;
        END IF;
        IF right(head, 1) = 's' AND length(head) > 4
           AND EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = left(head, -1)) THEN
            RETURN left(head, -1) || ' ' || tail;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION atlas_compound_split(text) IS
    'An unknown word as the two known words it is made of (''zerowaste'' -> ''zero waste''), or NULL.';

-- Its statements keep one plan per session (generic): each is an index probe whatever the
-- word, and the API's connections plan every statement for its values (plan_cache_mode =
-- force_custom_plan), which re-planned them on every call — 2-8 ms a query at 100k actors
-- once the town lookup was added, 0.2-0.7 ms now (typo corrections still plan their
-- trigram look-up for the word, with EXECUTE).
CREATE OR REPLACE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery)
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
BEGIN
    terms := ARRAY(
        SELECT left(w, 40) FROM regexp_split_to_table(atlas_normalise(left(q, 1000)), '[^[:alnum:]]+')
            WITH ORDINALITY AS s (w, n)
        WHERE w <> '' ORDER BY n LIMIT 12);
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
        split := CASE WHEN cardinality(aliases) = 0 THEN atlas_compound_split(term) END;
        IF split IS NOT NULL THEN
            exact := exact || (SELECT s.match_exact FROM atlas_search_query(split) s);
        END IF;
        -- A transposition counts as two edits, so six letters and more allow two. A word
        -- search knows is taken as meant: "wien" is not corrected to "when".
        max_typos := CASE WHEN cardinality(aliases) > 0 THEN 0
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
        -- Categories the word names: a label word in any language (stemmed as the label's
        -- language), or — from 7 letters, as short words hide inside too many others ("wien"
        -- in "upodmiotowienie") — a part of a label ("genossenschaft" in
        -- "Wohnungsgenossenschaften"), also through a correction of the word. Typo
        -- corrections that name a label word count as corrections.
        named_categories := ARRAY(
            SELECT 'c:' || c.id FROM categories c
            WHERE c.search_doc @@ exact
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
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names, as the local names of a town it names (search_place_aliases), as the two known words of an unknown compound, and typo-corrected against search_vocabulary.';
