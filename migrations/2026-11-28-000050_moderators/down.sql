DROP TABLE actor_redirects;
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE users;
