-- SQL functions with quoted bodies, which PostgreSQL records no dependency
-- for, used by a CHECK, a default, a generated column, an index expression, a
-- materialized view and a policy of a new table, while their bodies read
-- that table: each is created before them, its body checked only when it runs.
-- a:
-- b:
SET check_function_bodies = off;
CREATE FUNCTION public.z_ok(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT t <> '''' OR EXISTS (SELECT FROM public.a_items WHERE false)';
CREATE FUNCTION public.z_made() RETURNS text LANGUAGE sql AS 'SELECT ''now'' FROM public.a_items LIMIT 1';
CREATE FUNCTION public.z_up(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper(t)';
CREATE TABLE public.a_items (id integer PRIMARY KEY, code text, CHECK (public.z_ok(code)),
    made text DEFAULT public.z_made(), big text GENERATED ALWAYS AS (public.z_up(code)) STORED);
CREATE INDEX a_items_up ON public.a_items (public.z_up(code));
CREATE MATERIALIZED VIEW public.a_view AS SELECT public.z_up(code) AS up FROM public.a_items;
ALTER TABLE public.a_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY a_read ON public.a_items USING (public.z_ok(code));
