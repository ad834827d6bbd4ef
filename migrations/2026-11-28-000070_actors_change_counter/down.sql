DROP TRIGGER actors_advance_change_counter ON actors;
DROP FUNCTION advance_actors_change_counter();
DROP SEQUENCE actors_change_counter;
