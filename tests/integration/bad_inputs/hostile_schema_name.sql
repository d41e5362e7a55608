-- Not bad at all: a schema and a table whose names try to break out of quoting.
CREATE SCHEMA """; DROP TABLE users; --";
CREATE TABLE """; DROP TABLE users; --"."it's ""quoted""" (
    id bigint PRIMARY KEY,
    "; DELETE FROM users; --" text
);
