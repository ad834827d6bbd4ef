-- Suggestions found through indexes: at 100k actors GET /v1/search/suggest read every actor
-- twice (names, then towns), comparing each with what was typed: 1.4-2.3 s a keystroke.
-- Names already have a trigram index (actors_published_search_names); towns get one, and
-- what was typed becomes a LIKE pattern that the trigram indexes serve.

CREATE INDEX actors_published_town_trigrams ON actors
    USING gin (atlas_normalise(city) gin_trgm_ops) WHERE status = 'published';

-- '%text%' for LIKE, with LIKE's own characters in the text taken literally ("100%_bio").
CREATE FUNCTION atlas_contains_pattern(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN '%' || replace(replace(replace(t, '\', '\\'), '%', '\%'), '_', '\_') || '%';
COMMENT ON FUNCTION atlas_contains_pattern(text) IS
    'A LIKE pattern matching any text that contains t literally (\, % and _ escaped).';
