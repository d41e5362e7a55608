-- Runs fine up to line 5, which fails at run time.
CREATE TABLE public.notes (id bigint PRIMARY KEY);
INSERT INTO public.notes VALUES (1);

SELECT 1 / 0 AS boom;
