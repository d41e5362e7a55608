BEGIN;
CREATE TABLE public.notes (id bigint PRIMARY KEY);
COMMIT;
