-- A relocatable extension moves to another schema, the old schema going.
-- extension: pg_trgm
-- a:
CREATE SCHEMA old_ext;
CREATE EXTENSION pg_trgm WITH SCHEMA old_ext;
-- b:
CREATE SCHEMA new_ext;
CREATE EXTENSION pg_trgm WITH SCHEMA new_ext;
