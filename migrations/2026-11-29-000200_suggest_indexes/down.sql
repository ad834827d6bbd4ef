DROP FUNCTION atlas_contains_pattern(text);
DROP INDEX actors_published_town_trigrams;
