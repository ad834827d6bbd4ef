-- The CSV export's columns, in their stable order (CSV_COLUMNS in atlas-api's export.rs):
-- PostgreSQL writes the file itself (COPY (...) TO STDOUT WITH (FORMAT csv, HEADER)). Lists
-- are joined with ';'; every free-text cell goes through csv_cell() (formula neutralisation,
-- empty as empty). exports.rs appends one column per language for summary and description
-- (read from `s` and `d`: each jsonb is parsed once per row by jsonb_to_record, not once per
-- language), then FROM (with those two records), WHERE (filters) and ORDER BY a.id (the
-- primary key: one index scan). Most actors have no links or identifiers: the CASEs skip the
-- per-row subqueries for them.
SELECT a.id,
       csv_cell(a.slug) AS slug,
       csv_cell(a.name) AS name,
       csv_cell(array_to_string(a.alt_names, ';')) AS alt_names,
       a.kind,
       nullif(array_to_string(a.categories, ';'), '') AS categories,
       csv_cell(array_to_string(a.tags, ';')) AS tags,
       nullif(array_to_string(a.languages, ';'), '') AS languages,
       a.country,
       csv_cell(a.region) AS region,
       csv_cell(a.city) AS city,
       csv_cell(a.postcode) AS postcode,
       csv_cell(a.street) AS street,
       ST_Y(a.geom) AS lat,
       ST_X(a.geom) AS lon,
       a.location_precision,
       csv_cell(a.website) AS website,
       CASE WHEN a.links <> '[]' THEN
           csv_cell((SELECT string_agg((l.link ->> 'kind') || ' ' || (l.link ->> 'url'), ';' ORDER BY l.n)
                     FROM jsonb_array_elements(a.links) WITH ORDINALITY AS l (link, n)))
       END AS links,
       a.founded_year,
       -- Keys in byte order, like the API's sorted map.
       CASE WHEN a.identifiers <> '{}' THEN
           csv_cell((SELECT string_agg(i.key || ':' || i.value, ';' ORDER BY i.key COLLATE "C")
                     FROM jsonb_each_text(a.identifiers) AS i))
       END AS identifiers,
       csv_cell(a.licence) AS licence,
       a.source_kind,
       csv_cell(a.source_name) AS source_name,
       csv_time(a.created_at) AS created_at,
       csv_time(a.updated_at) AS updated_at,
       a.version
