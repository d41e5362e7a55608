-- Comments appear on a foreign-data wrapper, a server, a publication, a
-- subscription, an aggregate and a foreign table's column.
-- since: 150000
-- a:
CREATE FOREIGN DATA WRAPPER w;
CREATE SERVER s FOREIGN DATA WRAPPER w;
CREATE FOREIGN TABLE public.f (id integer) SERVER s;
CREATE PUBLICATION p;
CREATE SUBSCRIPTION sub CONNECTION 'host=publisher.invalid' PUBLICATION p
    WITH (connect = false, enabled = false, slot_name = NONE);
CREATE AGGREGATE public.biggest(integer) (SFUNC = int4larger, STYPE = integer);
-- b:
CREATE FOREIGN DATA WRAPPER w;
COMMENT ON FOREIGN DATA WRAPPER w IS 'The wrapper.';
CREATE SERVER s FOREIGN DATA WRAPPER w;
COMMENT ON SERVER s IS 'The server.';
CREATE FOREIGN TABLE public.f (id integer) SERVER s;
COMMENT ON COLUMN public.f.id IS 'The key.';
CREATE PUBLICATION p;
COMMENT ON PUBLICATION p IS 'Nothing yet.';
CREATE SUBSCRIPTION sub CONNECTION 'host=publisher.invalid' PUBLICATION p
    WITH (connect = false, enabled = false, slot_name = NONE);
COMMENT ON SUBSCRIPTION sub IS 'From the publisher.';
CREATE AGGREGATE public.biggest(integer) (SFUNC = int4larger, STYPE = integer);
COMMENT ON AGGREGATE public.biggest(integer) IS 'The largest.';
