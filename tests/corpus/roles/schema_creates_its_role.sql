-- A schema that creates a role (if it is missing) and gives it a grant, a
-- table of its own and a policy.
-- privileges: yes
-- a:
CREATE TABLE public.t (id integer);
-- b:
DO $$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'corpus_reader') THEN
        CREATE ROLE corpus_reader NOLOGIN;
    END IF;
END$$;
CREATE TABLE public.t (id integer);
GRANT SELECT ON public.t TO corpus_reader;
CREATE TABLE public.owned (id integer);
ALTER TABLE public.owned OWNER TO corpus_reader;
ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY t_read ON public.t FOR SELECT TO corpus_reader USING (id > 0);
