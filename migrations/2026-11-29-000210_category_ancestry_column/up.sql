-- Each actor keeps its categories with all their ancestors (category_ancestry(), migration
-- 000160), so that the category facet is one count per (actor, category) with nothing to
-- look up: facets.sql found each category's parent per matching row and counted parents per
-- distinct actor, which was two thirds of a facet statement (a Europe-sized viewport at
-- 100k actors: ~1.0 s of SQL, ~0.53 s this way). It also counts every level of the taxonomy,
-- as the category= filter does.

ALTER TABLE actors ADD COLUMN category_ancestry text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN actors.category_ancestry IS
    'The actor''s categories and all their ancestors, sorted (category_ancestry(categories)); kept by the actors_category_ancestry trigger. What the category facet counts.';

CREATE FUNCTION atlas_actor_category_ancestry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.category_ancestry := category_ancestry(NEW.categories);
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION atlas_actor_category_ancestry() IS
    'Fills actors.category_ancestry on every write (a taxonomy change rewrites the actors of the category, see atlas_category_changed).';

-- On every update, not only of categories: a category moved to another parent touches its
-- actors' rows (atlas_category_changed) without changing their categories.
CREATE TRIGGER actors_category_ancestry BEFORE INSERT OR UPDATE ON actors
    FOR EACH ROW EXECUTE FUNCTION atlas_actor_category_ancestry();

-- Existing rows, without the other triggers: nothing else about them changes (no change-feed
-- entry, no outbox row, no new search document, export row or map cell).
ALTER TABLE actors DISABLE TRIGGER USER;
UPDATE actors SET category_ancestry = category_ancestry(categories) WHERE cardinality(categories) > 0;
ALTER TABLE actors ENABLE TRIGGER USER;
