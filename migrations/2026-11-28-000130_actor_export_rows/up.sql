-- Export-ready rows: each published actor's CSV line, formatted when the actor is written
-- rather than when the dataset is exported, so that an export of the whole Atlas is a plain
-- read in primary-key order (issue #6: CSV at >= 200k rows/s at 1M actors). Kept equal to
-- the actors by statement triggers in the writing transaction. A line depends only on its
-- actor's own row (categories are written as ids, the licence is a column of the actor), so
-- no other table's change can make one stale.
--
-- The one global part of the CSV is its set of per-language columns (summary_<lang>,
-- description_<lang> for every language any published actor uses). Lines do not depend on
-- it: each row keeps its fixed columns as one pre-formatted CSV fragment plus its text cells
-- tagged by field and language, and the exporter places the cells under the current header.
-- So a new language never forces a rebuild of a million lines; export_text_languages counts
-- the actors per language so that the header needs no scan either.

-- A value exactly as COPY ... (FORMAT csv) writes it: NULL as nothing, the empty string and
-- values holding a comma, a quote, CR or LF quoted, quotes doubled.
CREATE FUNCTION csv_field(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value IS NULL THEN ''
        WHEN value = '' OR value ~ '[,"\r\n]' THEN '"' || replace(value, '"', '""') || '"'
        ELSE value
    END
$$;
COMMENT ON FUNCTION csv_field(text) IS 'A value quoted as COPY (FORMAT csv) writes it (NULL as an empty field); for pre-formatted export lines.';

-- csv_field(csv_cell(value)) as one expression: a free text neutralised (CWE-1236, see
-- csv_cell: empty as nothing, a formula-starting text behind an apostrophe) and quoted as COPY
-- would. One function, so that PostgreSQL inlines it: a function whose argument is another
-- function's result is not inlined and costs a call per cell.
CREATE FUNCTION csv_text(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value IS NULL OR value = '' THEN ''
        WHEN left(value, 1) IN ('=', '+', '-', '@', E'\t', E'\r') THEN
            CASE WHEN value ~ '[,"\r\n]' THEN '"''' || replace(value, '"', '""') || '"'
                 ELSE '''' || value
            END
        WHEN value ~ '[,"\r\n]' THEN '"' || replace(value, '"', '""') || '"'
        ELSE value
    END
$$;
COMMENT ON FUNCTION csv_text(text) IS 'A free text as a neutralised (csv_cell) and quoted (csv_field) CSV field, as the CSV export writes it.';

-- Each published actor's export row computed from the actors table: the one definition of a
-- line, used by the triggers (for the ids a statement wrote) and by the rebuild.
--   csv_fixed: the fixed columns (CSV_COLUMNS in atlas-store's exports.rs, id .. version)
--     exactly as COPY (FORMAT csv) wrote them in the former export, joined by commas, no line
--     end; NULL as an empty field, like COPY. Floats go through float8out, i.e. the session's
--     extra_float_digits: the default (1, shortest exact form) unless a writer changes it,
--     which nothing here does.
--   csv_texts: the non-empty summary and description cells, each as a field letter ('s' or
--     'd'), the two-letter language and the formatted cell ('sen' || cell); NULL when none.
--     Only keys of two lowercase letters can ever be a column (ISO 639-1 codes).
CREATE VIEW actor_export_lines AS
SELECT a.id AS actor_id,
       a.updated_at,
       array_to_string(ARRAY[
           a.id::text,
           csv_text(a.slug),
           csv_text(a.name),
           csv_text(array_to_string(a.alt_names, ';')),
           csv_field(a.kind),
           csv_field(nullif(array_to_string(a.categories, ';'), '')),
           csv_text(array_to_string(a.tags, ';')),
           csv_field(nullif(array_to_string(a.languages, ';'), '')),
           csv_field(a.country),
           csv_text(a.region),
           csv_text(a.city),
           csv_text(a.postcode),
           csv_text(a.street),
           ST_Y(a.geom)::text,
           ST_X(a.geom)::text,
           csv_field(a.location_precision),
           csv_text(a.website),
           CASE WHEN a.links <> '[]' THEN
               csv_text((SELECT string_agg((l.link ->> 'kind') || ' ' || (l.link ->> 'url'), ';' ORDER BY l.n)
                         FROM jsonb_array_elements(a.links) WITH ORDINALITY AS l (link, n)))
           END,
           a.founded_year::text,
           -- Keys in byte order, like the API's sorted map.
           CASE WHEN a.identifiers <> '{}' THEN
               csv_text((SELECT string_agg(i.key || ':' || i.value, ';' ORDER BY i.key COLLATE "C")
                         FROM jsonb_each_text(a.identifiers) AS i))
           END,
           csv_text(a.licence),
           csv_field(a.source_kind),
           csv_text(a.source_name),
           -- RFC 3339 in UTC never needs quoting.
           csv_time(a.created_at),
           csv_time(a.updated_at),
           a.version::text
       ], ',', '') AS csv_fixed,
       CASE WHEN a.summary <> '{}' OR a.description <> '{}' THEN
           nullif(ARRAY(
               SELECT t.field || t.key || csv_text(t.value)
               FROM (SELECT 's' AS field, s.key, s.value FROM jsonb_each_text(a.summary) AS s
                     UNION ALL
                     SELECT 'd', d.key, d.value FROM jsonb_each_text(a.description) AS d) t
               WHERE t.key ~ '^[a-z]{2}$' AND t.value <> ''
               ORDER BY t.field DESC, t.key
           ), '{}')
       END AS csv_texts
FROM actors a
WHERE a.status = 'published';
COMMENT ON VIEW actor_export_lines IS 'What actor_export_rows holds for each published actor, computed afresh (its definition; used by the triggers and the rebuild).';

CREATE TABLE actor_export_rows (
    actor_id   uuid PRIMARY KEY,
    updated_at timestamptz NOT NULL,
    csv_fixed  text NOT NULL,
    csv_texts  text[]
);
COMMENT ON TABLE actor_export_rows IS 'One export-ready row per published actor (see the view actor_export_lines), maintained by triggers on actors; the unfiltered CSV export reads only this table, in actor_id order.';
COMMENT ON COLUMN actor_export_rows.actor_id IS 'The published actor (actors.id); primary key, the export''s order.';
COMMENT ON COLUMN actor_export_rows.updated_at IS 'The actor''s updated_at, indexed: the export''s Last-Modified without a scan.';
COMMENT ON COLUMN actor_export_rows.csv_fixed IS 'The CSV line''s fixed columns (id .. version), formatted as COPY CSV would, comma-joined, no line end.';
COMMENT ON COLUMN actor_export_rows.csv_texts IS 'Non-empty per-language text cells, each ''s''|''d'' + language + formatted cell; NULL when none. The exporter places them under the header''s summary_<lang>/description_<lang> columns.';
CREATE INDEX actor_export_rows_updated_at ON actor_export_rows (updated_at);

CREATE TABLE export_text_languages (
    lang   text PRIMARY KEY,
    actors integer NOT NULL CHECK (actors >= 0)
);
COMMENT ON TABLE export_text_languages IS 'Languages used by published actors'' summaries or descriptions (the CSV export''s per-language columns), maintained by triggers on actors.';
COMMENT ON COLUMN export_text_languages.lang IS 'A key of actors.summary or actors.description, as stored.';
COMMENT ON COLUMN export_text_languages.actors IS 'How many published actors use it (> 0 once a writing statement ends: a row is deleted when its count reaches 0).';

CREATE TABLE actor_export_count (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    actors   bigint NOT NULL CHECK (actors >= 0)
);
COMMENT ON TABLE actor_export_count IS 'How many rows actor_export_rows holds (the published actors), kept by the triggers: the unfiltered export''s count without a scan. One row; only statements that publish or unpublish actors write it.';
COMMENT ON COLUMN actor_export_count.only_row IS 'Always true: the table has one row.';
COMMENT ON COLUMN actor_export_count.actors IS 'The number of published actors.';
INSERT INTO actor_export_count (actors) VALUES (0);

-- Applies the published actors that left (gone) and came (came) to the language counts, one
-- language at a time in language order, so that concurrent writers lock the rows in the same
-- order and cannot deadlock on them.
CREATE FUNCTION export_text_languages_apply(gone text[], came text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    change record;
    remaining integer;
BEGIN
    FOR change IN
        SELECT lang, sum(delta)::integer AS delta
        FROM (SELECT unnest(came) AS lang, 1 AS delta UNION ALL SELECT unnest(gone), -1) d
        GROUP BY lang
        HAVING sum(delta) <> 0
        ORDER BY lang
    LOOP
        IF change.delta > 0 THEN
            INSERT INTO export_text_languages AS t (lang, actors)
            VALUES (change.lang, change.delta)
            ON CONFLICT (lang) DO UPDATE SET actors = t.actors + excluded.actors;
        ELSE
            -- (An INSERT .. ON CONFLICT would check its negative count against the CHECK.)
            UPDATE export_text_languages SET actors = actors + change.delta
            WHERE lang = change.lang
            RETURNING actors INTO remaining;
            IF NOT FOUND OR remaining < 0 THEN
                -- Out of step with actors (a load that bypassed the triggers?): say so rather
                -- than refuse the write; actor_export_rows_rebuild() puts it right.
                RAISE WARNING 'export_text_languages out of step for %: run actor_export_rows_rebuild()', change.lang;
            ELSIF remaining = 0 THEN
                DELETE FROM export_text_languages WHERE lang = change.lang;
            END IF;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION export_text_languages_apply(text[], text[]) IS 'Moves actors'' text languages out of (gone) and into (came) export_text_languages; called by the triggers on actors.';

-- Statement triggers with transition tables, like map_cells: a bulk write is one call. AFTER
-- triggers see the statement's result, so the rows are read from actor_export_lines for the
-- ids the statement wrote. An UPDATE that does not change a line leaves its row alone (no
-- dead tuple), e.g. a bump of last_verified_at.
CREATE FUNCTION actor_export_rows_follow_actors() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    published_change bigint := 0;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE actor_export_rows, export_text_languages;
        UPDATE actor_export_count SET actors = 0;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        published_change := (SELECT count(*) FROM new_actors n WHERE n.status = 'published');
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        published_change := published_change
            - (SELECT count(*) FROM old_actors o WHERE o.status = 'published');
    END IF;
    IF published_change <> 0 THEN
        UPDATE actor_export_count SET actors = actors + published_change;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM actor_export_rows e
        USING old_actors o
        WHERE e.actor_id = o.id
          AND NOT EXISTS (SELECT 1 FROM actor_export_lines l WHERE l.actor_id = o.id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO actor_export_rows AS e (actor_id, updated_at, csv_fixed, csv_texts)
        SELECT l.actor_id, l.updated_at, l.csv_fixed, l.csv_texts
        FROM actor_export_lines l
        WHERE l.actor_id IN (SELECT n.id FROM new_actors n WHERE n.status = 'published')
        ORDER BY l.actor_id
        ON CONFLICT (actor_id) DO UPDATE
            SET updated_at = excluded.updated_at, csv_fixed = excluded.csv_fixed,
                csv_texts = excluded.csv_texts
            WHERE (e.updated_at, e.csv_fixed, e.csv_texts)
                  IS DISTINCT FROM (excluded.updated_at, excluded.csv_fixed, excluded.csv_texts);
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM export_text_languages_apply('{}',
            ARRAY(SELECT k.lang FROM new_actors n, LATERAL (
                      SELECT jsonb_object_keys(n.summary) UNION SELECT jsonb_object_keys(n.description)
                  ) k (lang)
                  WHERE n.status = 'published'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM export_text_languages_apply(
            ARRAY(SELECT k.lang FROM old_actors o, LATERAL (
                      SELECT jsonb_object_keys(o.summary) UNION SELECT jsonb_object_keys(o.description)
                  ) k (lang)
                  WHERE o.status = 'published'),
            '{}');
    ELSE
        PERFORM export_text_languages_apply(
            ARRAY(SELECT k.lang FROM old_actors o, LATERAL (
                      SELECT jsonb_object_keys(o.summary) UNION SELECT jsonb_object_keys(o.description)
                  ) k (lang)
                  WHERE o.status = 'published'
                  EXCEPT ALL
                  SELECT k.lang FROM new_actors n, LATERAL (
                      SELECT jsonb_object_keys(n.summary) UNION SELECT jsonb_object_keys(n.description)
                  ) k (lang)
                  WHERE n.status = 'published'),
            ARRAY(SELECT k.lang FROM new_actors n, LATERAL (
                      SELECT jsonb_object_keys(n.summary) UNION SELECT jsonb_object_keys(n.description)
                  ) k (lang)
                  WHERE n.status = 'published'
                  EXCEPT ALL
                  SELECT k.lang FROM old_actors o, LATERAL (
                      SELECT jsonb_object_keys(o.summary) UNION SELECT jsonb_object_keys(o.description)
                  ) k (lang)
                  WHERE o.status = 'published'));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION actor_export_rows_follow_actors() IS
    'Trigger function: keeps actor_export_rows and export_text_languages equal to the published actors.';

CREATE TRIGGER actors_export_rows_insert AFTER INSERT ON actors
    REFERENCING NEW TABLE AS new_actors
    FOR EACH STATEMENT EXECUTE FUNCTION actor_export_rows_follow_actors();
COMMENT ON TRIGGER actors_export_rows_insert ON actors IS 'Adds the export rows of new published actors.';
CREATE TRIGGER actors_export_rows_update AFTER UPDATE ON actors
    REFERENCING OLD TABLE AS old_actors NEW TABLE AS new_actors
    FOR EACH STATEMENT EXECUTE FUNCTION actor_export_rows_follow_actors();
COMMENT ON TRIGGER actors_export_rows_update ON actors IS 'Rewrites the export rows of changed actors; removes those no longer published.';
CREATE TRIGGER actors_export_rows_delete AFTER DELETE ON actors
    REFERENCING OLD TABLE AS old_actors
    FOR EACH STATEMENT EXECUTE FUNCTION actor_export_rows_follow_actors();
COMMENT ON TRIGGER actors_export_rows_delete ON actors IS 'Removes the export rows of deleted actors.';
CREATE TRIGGER actors_export_rows_truncate AFTER TRUNCATE ON actors
    FOR EACH STATEMENT EXECUTE FUNCTION actor_export_rows_follow_actors();
COMMENT ON TRIGGER actors_export_rows_truncate ON actors IS 'Empties actor_export_rows with actors.';

-- Builds the export rows afresh from the published actors: for the actors already there, after
-- a load that bypassed the triggers (`SET session_replication_role = replica`), or after a
-- change to how lines are formatted (a migration that replaces actor_export_lines calls it).
-- Written in id order so that the export's index scan reads the table front to back.
CREATE FUNCTION actor_export_rows_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE actors IN SHARE MODE;
    TRUNCATE actor_export_rows, export_text_languages;
    INSERT INTO actor_export_rows (actor_id, updated_at, csv_fixed, csv_texts)
    SELECT l.actor_id, l.updated_at, l.csv_fixed, l.csv_texts
    FROM actor_export_lines l
    ORDER BY l.actor_id;
    UPDATE actor_export_count SET actors = (SELECT count(*) FROM actor_export_rows);
    INSERT INTO export_text_languages (lang, actors)
    SELECT k.lang, count(*)
    FROM actors a, LATERAL (
        SELECT jsonb_object_keys(a.summary) UNION SELECT jsonb_object_keys(a.description)
    ) k (lang)
    WHERE a.status = 'published'
    GROUP BY k.lang;
    ANALYZE actor_export_rows;
END
$$;
COMMENT ON FUNCTION actor_export_rows_rebuild() IS
    'Rebuilds actor_export_rows and export_text_languages from the published actors.';

SELECT actor_export_rows_rebuild();
