-- A cast becomes implicit and gains a comment; another, WITH INOUT, appears;
-- a conversion appears.
-- a:
CREATE TYPE public.level AS ENUM ('low', 'high');
CREATE FUNCTION public.level_rank(public.level) RETURNS integer
LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $1 = ''high'' THEN 2 ELSE 1 END';
CREATE CAST (public.level AS integer) WITH FUNCTION public.level_rank(public.level);
-- b:
CREATE TYPE public.level AS ENUM ('low', 'high');
CREATE FUNCTION public.level_rank(public.level) RETURNS integer
LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $1 = ''high'' THEN 2 ELSE 1 END';
CREATE CAST (public.level AS integer) WITH FUNCTION public.level_rank(public.level) AS IMPLICIT;
COMMENT ON CAST (public.level AS integer) IS 'By rank.';
CREATE CAST (public.level AS bigint) WITH INOUT AS ASSIGNMENT;
CREATE CONVERSION public.latin_to_utf8 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
COMMENT ON CONVERSION public.latin_to_utf8 IS 'For old files.';
