-- A range type with options gets another multirange type name: its
-- multirange constructors are PostgreSQL's, made and dropped with the type.
-- a:
CREATE TYPE public.span AS RANGE (subtype = integer);
-- b:
CREATE TYPE public.span AS RANGE (subtype = integer, multirange_type_name = public.spans);
COMMENT ON TYPE public.span IS 'A span.';
