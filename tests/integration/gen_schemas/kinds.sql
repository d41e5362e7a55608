-- Objects of every other kind the drop script generator drops, for the gen tests.
CREATE SCHEMA app;
CREATE TYPE app.pair AS (a integer, b integer);
CREATE COLLATION app.c_posix (locale = 'C');
CREATE FUNCTION app.add_pair(app.pair) RETURNS integer LANGUAGE sql IMMUTABLE RETURN $1.a + $1.b;
CREATE FUNCTION app.same_pair(app.pair, app.pair) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN $1 = $2;
CREATE OPERATOR app.=== (LEFTARG = app.pair, RIGHTARG = app.pair, FUNCTION = app.same_pair);
CREATE FUNCTION app.pair_text(app.pair) RETURNS text LANGUAGE sql IMMUTABLE RETURN $1::text;
CREATE CAST (app.pair AS text) WITH FUNCTION app.pair_text(app.pair);
CREATE AGGREGATE app.total(integer) (SFUNC = int4pl, STYPE = integer);
CREATE PROCEDURE app.noop() LANGUAGE sql BEGIN ATOMIC SELECT 1; END;
CREATE TEXT SEARCH CONFIGURATION app.simple_cfg (COPY = pg_catalog.simple);
CREATE FUNCTION app.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END; $$;
CREATE EVENT TRIGGER app_ddl ON ddl_command_end EXECUTE FUNCTION app.on_ddl();
CREATE TABLE app.things (id integer PRIMARY KEY, p app.pair, name text COLLATE app.c_posix);
CREATE FUNCTION app.thing_count() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM app.things; END;
CREATE PUBLICATION app_pub FOR TABLE app.things;
CREATE FOREIGN DATA WRAPPER app_fdw;
CREATE SERVER app_server FOREIGN DATA WRAPPER app_fdw;
