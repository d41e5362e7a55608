-- A function with a quoted body, used by a CHECK and a default, gains an
-- argument: the CHECK and the default that call it are made again.
-- a:
CREATE FUNCTION public.valid(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT t <> ''''';
CREATE TABLE public.t (id integer, name text CHECK (public.valid(name)));
-- b:
CREATE FUNCTION public.valid(t text, n integer) RETURNS boolean LANGUAGE sql IMMUTABLE
AS 'SELECT length(t) > n';
CREATE TABLE public.t (id integer, name text CHECK (public.valid(name, 0)));
