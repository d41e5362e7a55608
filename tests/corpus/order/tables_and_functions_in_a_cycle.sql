-- A table whose default calls a function that reads the table: the function
-- is created first with its body unchecked, then the table.
-- a:
-- b:
SET check_function_bodies = off;
CREATE FUNCTION public.next_code() RETURNS integer LANGUAGE sql
AS 'SELECT coalesce(max(code), 0) + 1 FROM public.codes';
CREATE TABLE public.codes (code integer DEFAULT public.next_code(), other integer);
CREATE FUNCTION public.codes_of(c public.codes) RETURNS integer LANGUAGE sql
AS 'SELECT c.code + public.next_code()';
CREATE TABLE public.uses (c integer CHECK (public.codes_of(ROW(c, c)::public.codes) > 0));
