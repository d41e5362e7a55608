-- A COMMIT half-way (line 4) would make everything before it permanent.
DROP TABLE IF EXISTS public.users CASCADE;

COMMIT;

CREATE TABLE public.notes (id bigint PRIMARY KEY);
