-- The replica identity uses an index that is new, or that is made again.
-- a:
CREATE TABLE public.r (id integer NOT NULL, code text NOT NULL);
CREATE UNIQUE INDEX r_code ON public.r (code);
ALTER TABLE public.r REPLICA IDENTITY USING INDEX r_code;
-- b:
CREATE TABLE public.r (id integer NOT NULL, code text NOT NULL);
CREATE UNIQUE INDEX r_code ON public.r (code, id);
CREATE UNIQUE INDEX r_id ON public.r (id);
ALTER TABLE public.r REPLICA IDENTITY USING INDEX r_code;
CREATE TABLE public.q (id integer NOT NULL);
CREATE UNIQUE INDEX q_id ON public.q (id);
ALTER TABLE public.q REPLICA IDENTITY USING INDEX q_id;
