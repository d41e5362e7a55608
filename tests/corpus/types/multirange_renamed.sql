-- Only the name of a range type's multirange type changes: verify must see it,
-- and the migration renames the multirange type in place (its users keep it).
-- a:
CREATE TYPE public.span AS RANGE (subtype = integer);
CREATE TABLE public.booking (id int PRIMARY KEY, free public.span_multirange);
-- b:
CREATE TYPE public.span AS RANGE (subtype = integer, multirange_type_name = public.spans);
CREATE TABLE public.booking (id int PRIMARY KEY, free public.spans);
