-- A ROLLBACK on line 3 would end the transaction, and line 4 would run outside any.
CREATE TABLE public.notes (id bigint PRIMARY KEY);
ROLLBACK;
DROP TABLE IF EXISTS public.users CASCADE;
