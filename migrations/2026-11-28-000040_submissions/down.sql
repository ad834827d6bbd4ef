DROP INDEX IF EXISTS actors_published_website_host;
DROP FUNCTION IF EXISTS website_host(text);
DROP TABLE IF EXISTS gazetteer_names;
DROP TABLE IF EXISTS gazetteer_places;
DROP TABLE IF EXISTS email_outbox;
DROP TABLE IF EXISTS access_tokens;
DROP TABLE IF EXISTS moderation_items;
