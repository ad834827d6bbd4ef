-- Search reads a matching actor's search document several times in one statement: the
-- match and its recheck, two ranks, the place and name tests, the highlights. An actor's row
-- is ~2.6 kB, over PostgreSQL's default toast target (~2 kB), so the document, its largest
-- column, was stored apart in the TOAST table, and every reference fetched it from there
-- again (~2 µs each; PostgreSQL keeps no fetched copy between the functions of one row).
-- That was 12–28 % of a search statement at 100k actors. Rows now stay whole up to a page;
-- in a row still larger, the texts (summary, description, extended) go apart or are
-- compressed before the document (main) is. The cost: the table's main part is ~2.2× larger
-- (313 MB instead of 140 MB + 139 MB apart at 100k actors), so scans of every row in a
-- viewport (facets without a text) read more pages.
ALTER TABLE actors SET (toast_tuple_target = 8160);
ALTER TABLE actors ALTER COLUMN search_doc SET STORAGE MAIN;
-- The rows stored already are written again under these rules: CLUSTER rewrites the table
-- (as VACUUM FULL, which cannot run in a migration's transaction), with its indexes, under
-- an exclusive lock (~11 s at 100k actors), in id order, and fires no trigger; the table
-- is not left marked as clustered.
CLUSTER actors USING actors_pkey;
ALTER TABLE actors SET WITHOUT CLUSTER;
