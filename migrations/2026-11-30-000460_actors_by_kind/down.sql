DROP INDEX actors_published_kind;
