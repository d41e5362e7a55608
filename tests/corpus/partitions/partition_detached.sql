-- A partition is detached: it stays as a table of its own, with the index and
-- key it had, and loses the trigger it had from its parent.
-- a:
CREATE FUNCTION public.ev_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE public.ev (id integer, at date, PRIMARY KEY (id, at)) PARTITION BY LIST (at);
CREATE INDEX ev_at ON public.ev (at);
CREATE TRIGGER ev_touch BEFORE INSERT ON public.ev FOR EACH ROW EXECUTE FUNCTION public.ev_touch();
CREATE TABLE public.ev_old PARTITION OF public.ev FOR VALUES IN ('2020-01-01');
CREATE TABLE public.ev_new PARTITION OF public.ev FOR VALUES IN ('2026-01-01');
-- b:
CREATE FUNCTION public.ev_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE public.ev (id integer, at date, PRIMARY KEY (id, at)) PARTITION BY LIST (at);
CREATE INDEX ev_at ON public.ev (at);
CREATE TRIGGER ev_touch BEFORE INSERT ON public.ev FOR EACH ROW EXECUTE FUNCTION public.ev_touch();
CREATE TABLE public.ev_old PARTITION OF public.ev FOR VALUES IN ('2020-01-01');
CREATE TABLE public.ev_new PARTITION OF public.ev FOR VALUES IN ('2026-01-01');
ALTER TABLE public.ev DETACH PARTITION public.ev_old;
