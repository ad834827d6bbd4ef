-- Back to 000180's atlas_search_query, without town names and compounds.
CREATE OR REPLACE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery)
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
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
        -- A transposition counts as two edits, so six letters and more allow two. A word
        -- search knows is taken as meant: "wien" is not corrected to "when".
        max_typos := CASE WHEN length(term) >= 6 THEN 2 WHEN length(term) >= 4 THEN 1 ELSE 0 END;
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
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names, and typo-corrected against search_vocabulary.';

DROP FUNCTION atlas_compound_split(text);
DROP FUNCTION atlas_town_aliases(text);
DROP VIEW search_place_aliases;
DROP INDEX gazetteer_places_town_name;
DROP INDEX actors_published_town;
