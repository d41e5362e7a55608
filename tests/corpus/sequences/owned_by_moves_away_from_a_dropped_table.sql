-- A sequence owned by a column of a table that goes: it moves to another
-- table's column first, else dropping the table would take it along.
-- a:
CREATE TABLE public.old (id integer);
CREATE SEQUENCE public.s OWNED BY public.old.id;
CREATE TABLE public.keep (id integer);
-- b:
CREATE SEQUENCE public.s;
CREATE TABLE public.keep (id integer DEFAULT nextval('public.s'));
ALTER SEQUENCE public.s OWNED BY public.keep.id;
