DROP FUNCTION atlas_tsquery_terms(tsquery);
DROP TRIGGER actors_search_postings_insert ON actors;
DROP TRIGGER actors_search_postings_update ON actors;
DROP TRIGGER actors_search_postings_delete ON actors;
DROP TRIGGER actors_search_postings_truncate ON actors;
DROP FUNCTION search_postings_rebuild();
DROP FUNCTION search_postings_follow_actors();
DROP FUNCTION atlas_search_postings(tsvector, text);
DROP TABLE search_postings;
