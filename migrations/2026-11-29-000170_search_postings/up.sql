-- Search postings: for each published actor and each word of its names, categories, kind,
-- tags and place (search_doc weights A–C), one row with an impact score, indexed by
-- (term, impact). A query matching a quarter of the actors ("coperativa": 25,652 of 100k)
-- can then take its best candidates from the top of each of its terms' postings instead of
-- scoring every match (what the GIN index gives: a bitmap of all of them). Texts (weight D)
-- are left out: they are most of a document's words, and a text-only match ranks below name,
-- category and place matches anyway; a query whose best matches are text-only falls back to
-- scoring every match (see atlas-store actors.rs).

CREATE TABLE search_postings (
    -- A lexeme of actors.search_doc; byte order, so a prefix is a range of the index.
    term text COLLATE "C" NOT NULL,
    impact real NOT NULL,
    actor_id uuid NOT NULL
);
COMMENT ON TABLE search_postings IS 'Per published actor, its search_doc lexemes of weight A–C with an impact score (atlas_search_postings). Derived from actors by triggers; candidates for broad text queries.';

-- How much a term says about an actor, ordered like the search score (atlas-store
-- sql/search_score.sql): a name word above a category above kind/tags above the place, and
-- among names, short ones first: the score adds the text's trigram similarity to the names,
-- which for a name containing the word is the word's trigrams over the name's, so it falls
-- with the number of the name's trigrams.
CREATE FUNCTION atlas_search_postings(doc tsvector, names text)
RETURNS TABLE (term text, impact real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT u.lexeme,
           (CASE WHEN 'A' = ANY (u.weights)
                     THEN 1.0 + 1.0 / greatest(1, cardinality(show_trgm(names)))
                 WHEN u.lexeme LIKE 'c:%' THEN 0.9
                 WHEN 'B' = ANY (u.weights) THEN 0.4
                 ELSE 0.2 END)::real
    FROM unnest(doc) AS u
    WHERE u.weights && '{A,B,C}'::text[]
$$;
COMMENT ON FUNCTION atlas_search_postings(tsvector, text) IS 'The postings of one search document: its lexemes of weight A–C with their impact.';

CREATE FUNCTION search_postings_follow_actors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE search_postings;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO search_postings (term, impact, actor_id)
        SELECT p.term, p.impact, n.id
        FROM new_actors n, atlas_search_postings(n.search_doc, n.search_names) p
        WHERE n.status = 'published';
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM search_postings s USING old_actors o WHERE s.actor_id = o.id;
    ELSE
        -- Only actors whose document, names or visibility changed: most updates (a
        -- verification date, contacts) leave the postings as they are.
        DELETE FROM search_postings s
        USING old_actors o JOIN new_actors n ON n.id = o.id
        WHERE s.actor_id = o.id
          AND (n.status, n.search_doc, n.search_names) IS DISTINCT FROM (o.status, o.search_doc, o.search_names);
        INSERT INTO search_postings (term, impact, actor_id)
        SELECT p.term, p.impact, n.id
        FROM new_actors n JOIN old_actors o ON o.id = n.id,
             atlas_search_postings(n.search_doc, n.search_names) p
        WHERE (n.status, n.search_doc, n.search_names) IS DISTINCT FROM (o.status, o.search_doc, o.search_names)
          AND n.status = 'published';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION search_postings_follow_actors() IS 'Trigger function: keeps search_postings equal to the postings of the published actors.';

CREATE TRIGGER actors_search_postings_insert AFTER INSERT ON actors
    REFERENCING NEW TABLE AS new_actors
    FOR EACH STATEMENT EXECUTE FUNCTION search_postings_follow_actors();
CREATE TRIGGER actors_search_postings_update AFTER UPDATE ON actors
    REFERENCING OLD TABLE AS old_actors NEW TABLE AS new_actors
    FOR EACH STATEMENT EXECUTE FUNCTION search_postings_follow_actors();
CREATE TRIGGER actors_search_postings_delete AFTER DELETE ON actors
    REFERENCING OLD TABLE AS old_actors
    FOR EACH STATEMENT EXECUTE FUNCTION search_postings_follow_actors();
CREATE TRIGGER actors_search_postings_truncate AFTER TRUNCATE ON actors
    FOR EACH STATEMENT EXECUTE FUNCTION search_postings_follow_actors();

-- Builds the postings afresh from the published actors: here, and after a load that bypassed
-- the triggers (`SET session_replication_role = replica`).
CREATE FUNCTION search_postings_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search_postings;
    INSERT INTO search_postings (term, impact, actor_id)
    SELECT p.term, p.impact, a.id
    FROM actors a, atlas_search_postings(a.search_doc, a.search_names) p
    WHERE a.status = 'published'
    ORDER BY p.term, p.impact DESC;
    ANALYZE search_postings;
END
$$;
COMMENT ON FUNCTION search_postings_rebuild() IS 'Rebuilds search_postings from the published actors.';
SELECT search_postings_rebuild();

CREATE INDEX search_postings_by_term ON search_postings (term, impact DESC, actor_id);
CREATE INDEX search_postings_by_actor ON search_postings (actor_id);

-- The terms of a tsquery from atlas_search_query, each with whether it is a prefix (`:*`).
-- Lexemes are quoted in a tsquery's text, with quotes doubled.
CREATE FUNCTION atlas_tsquery_terms(query tsquery)
RETURNS TABLE (term text, prefix boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT replace(m[1], '''''', ''''), m[2] IS NOT NULL
    FROM regexp_matches(query::text, '''((?:[^'']|'''')*)''(:\*)?', 'g') AS m
$$;
COMMENT ON FUNCTION atlas_tsquery_terms(tsquery) IS 'The lexemes of a tsquery, each with whether it matches as a prefix.';
