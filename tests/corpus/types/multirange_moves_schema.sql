-- A range type's multirange type moves to another schema and takes a new name.
-- a:
CREATE SCHEMA ranges;
CREATE TYPE public.span AS RANGE (subtype = integer);
-- b:
CREATE SCHEMA ranges;
CREATE TYPE public.span AS RANGE (subtype = integer, multirange_type_name = ranges."Spans");
