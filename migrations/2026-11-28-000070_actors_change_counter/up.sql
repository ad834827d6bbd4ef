-- A counter every write to actors advances, so caches of map data (vector tiles) know when to
-- drop what they hold without asking for the data itself. A sequence, not a row: writers never
-- wait on each other for it, and a rolled-back write only costs one needless cache flush.
CREATE SEQUENCE actors_change_counter;
COMMENT ON SEQUENCE actors_change_counter IS
    'Advanced by every statement that writes actors; the API''s tile cache is dropped when it moves.';

CREATE FUNCTION advance_actors_change_counter() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('actors_change_counter');
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION advance_actors_change_counter() IS
    'Trigger function: advances actors_change_counter once per writing statement.';

CREATE TRIGGER actors_advance_change_counter
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON actors
    FOR EACH STATEMENT EXECUTE FUNCTION advance_actors_change_counter();
COMMENT ON TRIGGER actors_advance_change_counter ON actors IS
    'Tells map caches that actors changed (see actors_change_counter).';
