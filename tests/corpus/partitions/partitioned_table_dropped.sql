-- A partitioned table with keys, indexes and triggers goes (or comes) with its partitions.
-- a:
CREATE TABLE public.keep (id integer);
-- b:
CREATE TABLE public.keep (id integer);
CREATE FUNCTION public.ev_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE public.ev (id integer, at date, n integer CHECK (n > 0), PRIMARY KEY (id, at, n))
PARTITION BY RANGE (at);
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
PARTITION BY LIST (n);
CREATE TABLE public.ev_2026_1 PARTITION OF public.ev_2026 FOR VALUES IN (1);
CREATE INDEX ev_n ON public.ev (n);
CREATE TRIGGER ev_touch BEFORE INSERT ON public.ev FOR EACH ROW EXECUTE FUNCTION public.ev_touch();
