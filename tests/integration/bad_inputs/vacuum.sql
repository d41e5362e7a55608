CREATE TABLE public.notes (id bigint PRIMARY KEY);
VACUUM ANALYZE public.notes;
