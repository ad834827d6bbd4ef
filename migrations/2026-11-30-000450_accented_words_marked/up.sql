-- Snippets mark the words a text query matched, whatever their accents (issue #3: "with
-- highlights of what matched", accent-insensitive). The documents are stemmed from texts
-- without accents (atlas_normalise), but ts_headline parsed the texts as written, with the
-- language's stemmer: "educación" stems to "educ" and "educacion" to "educacion", "économie"
-- to "économ" and "economie" to "econom", and "Café" stays "café" in English. Such words
-- were not marked, and a text whose only matching words had accents gave no snippet.
--
-- Each configuration atlas_ts_config() names gets a copy that takes the accents off every
-- word (the unaccent dictionary, a filter) before its own dictionaries see it: parsing a
-- text as written with the copy gives the lexemes its document holds, and ts_headline still
-- shows the words as written.
DO $$
DECLARE
    config text;
    dictionaries text;
BEGIN
    FOREACH config IN ARRAY ARRAY['simple', 'english', 'german', 'french', 'spanish', 'italian',
                                  'portuguese', 'dutch', 'hungarian', 'romanian', 'finnish',
                                  'greek', 'danish', 'swedish', 'norwegian', 'lithuanian',
                                  'catalan', 'basque', 'irish', 'turkish', 'russian', 'serbian']
    LOOP
        SELECT string_agg(quote_ident(d.dictname), ', ' ORDER BY m.mapseqno)
        INTO dictionaries
        FROM pg_ts_config c
             JOIN pg_ts_config_map m ON m.mapcfg = c.oid
             JOIN pg_ts_dict d ON d.oid = m.mapdict
        WHERE c.cfgname = config
          AND m.maptokentype = (SELECT tokid FROM ts_token_type('default') WHERE alias = 'word');
        EXECUTE format('CREATE TEXT SEARCH CONFIGURATION %I (COPY = %I)',
                       'atlas_unaccented_' || config, config);
        EXECUTE format('ALTER TEXT SEARCH CONFIGURATION %I ALTER MAPPING FOR asciiword, '
                       'asciihword, hword_asciipart, word, hword, hword_part '
                       'WITH public.unaccent, %s',
                       'atlas_unaccented_' || config, dictionaries);
    END LOOP;
END
$$;

-- What the snippets parse a text with (search_columns.sql).
CREATE FUNCTION atlas_marking_config(lang text) RETURNS regconfig
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN ('atlas_unaccented_' || atlas_ts_config(lang)::text)::regconfig;
COMMENT ON FUNCTION atlas_marking_config(text) IS
    'atlas_ts_config(lang) taking every word''s accents off first: parses a text as written into the lexemes its search document holds (for ts_headline).';
