DROP TABLE country_borders;
DROP TABLE actor_revisions;
DROP FUNCTION forbid_change();
DROP TABLE actor_contacts;
DROP TABLE actors;
DROP TABLE categories;
