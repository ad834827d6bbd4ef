DROP FUNCTION atlas_marking_config(text);
DO $$
DECLARE
    config text;
BEGIN
    FOR config IN SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE 'atlas\_unaccented\_%' LOOP
        EXECUTE format('DROP TEXT SEARCH CONFIGURATION %I', config);
    END LOOP;
END
$$;
