-- The parent's index and CHECK change definition: rebuilding them on the
-- parent rebuilds each partition's, which are not dropped or made again apart.
-- a:
CREATE TABLE public.ev (at date, n integer, m integer, CONSTRAINT ev_n CHECK (n > 0))
PARTITION BY RANGE (at);
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ev_n ON public.ev (n);
-- b:
CREATE TABLE public.ev (at date, n integer, m integer, CONSTRAINT ev_n CHECK (n > 1))
PARTITION BY RANGE (at);
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ev_n ON public.ev (n, m);
