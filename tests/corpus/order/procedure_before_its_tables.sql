-- A procedure and a function whose bodies use tables that come with them.
-- a:
-- b:
CREATE TABLE public.z_live (id integer);
CREATE TABLE public.z_archive (id integer);
CREATE PROCEDURE public.a_archive() LANGUAGE sql AS $$
INSERT INTO public.z_archive SELECT * FROM public.z_live;
$$;
CREATE FUNCTION public.a_count() RETURNS bigint LANGUAGE sql STABLE
RETURN (SELECT count(*) FROM public.z_live);
