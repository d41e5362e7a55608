-- A base type (with its input and output functions, made as a shell first)
-- appears with a column of it, and a shell type appears.
-- a:
CREATE TABLE public.t (id integer);
-- b:
CREATE TYPE public.int_like;
CREATE FUNCTION public.int_like_in(cstring) RETURNS public.int_like
LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION public.int_like_out(public.int_like) RETURNS cstring
LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
CREATE TYPE public.int_like (
    INPUT = public.int_like_in, OUTPUT = public.int_like_out, LIKE = integer
);
COMMENT ON TYPE public.int_like IS 'An integer in disguise.';
CREATE TABLE public.t (id integer, v public.int_like);
CREATE TYPE public.later;
