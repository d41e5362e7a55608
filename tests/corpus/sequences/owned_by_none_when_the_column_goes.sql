-- A sequence owned by a column that goes is released (OWNED BY NONE) before the column is dropped.
-- a:
CREATE TABLE public.t (id integer, n integer);
CREATE SEQUENCE public.s OWNED BY public.t.n;
-- b:
CREATE TABLE public.t (id integer);
CREATE SEQUENCE public.s;
