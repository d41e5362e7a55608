-- With concurrent builds, an index of a partitioned table (which PostgreSQL
-- cannot build CONCURRENTLY) is created ON ONLY the parent, each
-- partition's index is built concurrently, then attached; the parent's index
-- ends valid. A BRIN index too.
-- concurrently: yes
-- a:
CREATE TABLE public.ev (at date, n integer) PARTITION BY RANGE (at);
CREATE TABLE public.ev_2025 PARTITION OF public.ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- b:
CREATE TABLE public.ev (at date, n integer) PARTITION BY RANGE (at);
CREATE TABLE public.ev_2025 PARTITION OF public.ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ev_n ON public.ev (n);
CREATE INDEX ev_at ON public.ev USING brin (at);
COMMENT ON INDEX public.ev_2025_n_idx IS 'built concurrently';
