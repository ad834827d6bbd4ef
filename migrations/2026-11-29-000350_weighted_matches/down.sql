DROP FUNCTION atlas_tsquery_weighted(tsquery, text);
