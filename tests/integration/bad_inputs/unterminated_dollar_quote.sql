-- The body opened on line 3 is never closed.
CREATE FUNCTION public.answer() RETURNS integer
LANGUAGE sql AS $body$
    SELECT 42;
