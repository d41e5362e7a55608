-- The COMMIT inside the DO block (line 5) is caught by the server, not by the check.
CREATE TABLE public.notes (id bigint PRIMARY KEY);
DO $$
BEGIN
    COMMIT;
END
$$;
