-- Saved as Latin-1, not UTF-8.
CREATE TABLE public.notes (id bigint);
COMMENT ON TABLE public.notes IS 'Café';
