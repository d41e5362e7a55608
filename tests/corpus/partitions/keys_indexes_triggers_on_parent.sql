-- The parent of two partitions gains a primary key, a unique constraint, an
-- index, a CHECK, a foreign key and a row trigger; each partition inherits
-- them, so none may be created again on a partition (nor dropped after the
-- parent's drop took it).
-- a:
CREATE TABLE public.kind (id integer PRIMARY KEY);
CREATE FUNCTION public.ev_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE public.ev (id integer NOT NULL, at date NOT NULL, kind integer, n integer)
PARTITION BY RANGE (at);
CREATE TABLE public.ev_2025 PARTITION OF public.ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- b:
CREATE TABLE public.kind (id integer PRIMARY KEY);
CREATE FUNCTION public.ev_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE public.ev (
    id integer NOT NULL, at date NOT NULL, kind integer REFERENCES public.kind, n integer,
    PRIMARY KEY (id, at), UNIQUE (n, at), CHECK (n > 0)
) PARTITION BY RANGE (at);
CREATE TABLE public.ev_2025 PARTITION OF public.ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.ev_2026 PARTITION OF public.ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ev_kind ON public.ev (kind);
CREATE TRIGGER ev_touch BEFORE INSERT ON public.ev FOR EACH ROW EXECUTE FUNCTION public.ev_touch();
COMMENT ON INDEX public.ev_2026_kind_idx IS 'inherited';
