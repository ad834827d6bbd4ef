DROP FUNCTION atlas_tsquery_categories(tsquery);
DROP FUNCTION atlas_tsquery_without_categories(tsquery);
