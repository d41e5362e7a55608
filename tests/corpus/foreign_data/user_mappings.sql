-- User mappings appear, and change their options; a secret option keeps
-- its value, so no migration has to write it.
-- a:
CREATE FOREIGN DATA WRAPPER w;
CREATE SERVER s FOREIGN DATA WRAPPER w;
CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'reader');
-- b:
CREATE FOREIGN DATA WRAPPER w;
CREATE SERVER s FOREIGN DATA WRAPPER w;
CREATE SERVER t FOREIGN DATA WRAPPER w;
CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'writer', sslmode 'require');
CREATE USER MAPPING FOR CURRENT_USER SERVER t OPTIONS (user 'me');
