-- A partition appears under a parent that has a key, an index, a CHECK and a
-- trigger: the partition gets them from its parent, not a second time.
-- a:
CREATE FUNCTION public.ev_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE public.ev (id integer, at date, n integer CHECK (n > 0), PRIMARY KEY (id, at))
PARTITION BY RANGE (at);
CREATE INDEX ev_n ON public.ev (n);
CREATE TRIGGER ev_touch BEFORE INSERT ON public.ev FOR EACH ROW EXECUTE FUNCTION public.ev_touch();
CREATE TABLE public.ev_2025 PARTITION OF public.ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- b:
CREATE FUNCTION public.ev_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE public.ev (id integer, at date, n integer CHECK (n > 0), PRIMARY KEY (id, at))
PARTITION BY RANGE (at);
CREATE INDEX ev_n ON public.ev (n);
CREATE TRIGGER ev_touch BEFORE INSERT ON public.ev FOR EACH ROW EXECUTE FUNCTION public.ev_touch();
CREATE TABLE public.ev_2025 PARTITION OF public.ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE public.ev_rest PARTITION OF public.ev DEFAULT;
