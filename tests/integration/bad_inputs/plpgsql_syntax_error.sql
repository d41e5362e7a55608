-- The function body on lines 3-7 misspells RETURN.
CREATE FUNCTION public.answer() RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    RETRUN 42;
END;
$$;
