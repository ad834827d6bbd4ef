DROP TRIGGER actors_category_ancestry ON actors;
DROP FUNCTION atlas_actor_category_ancestry();
ALTER TABLE actors DROP COLUMN category_ancestry;
