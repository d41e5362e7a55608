-- A partition's own index becomes the partition of its parent's index
-- (ALTER INDEX ... ATTACH PARTITION), which makes the parent's index valid.
-- a:
CREATE TABLE public.ev (at date, n integer) PARTITION BY RANGE (at);
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ev_n ON ONLY public.ev (n);
CREATE INDEX ev_2026_n ON public.ev_2026 (n);
-- b:
CREATE TABLE public.ev (at date, n integer) PARTITION BY RANGE (at);
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ev_n ON ONLY public.ev (n);
CREATE INDEX ev_2026_n ON public.ev_2026 (n);
ALTER INDEX public.ev_n ATTACH PARTITION public.ev_2026_n;
