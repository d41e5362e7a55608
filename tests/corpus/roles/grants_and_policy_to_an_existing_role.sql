-- Grants and a policy to roles the server has and the schema only names.
-- privileges: yes
-- a:
CREATE TABLE public.t (id integer);
-- b:
CREATE TABLE public.t (id integer);
GRANT SELECT ON public.t TO pg_read_all_data;
ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY t_read ON public.t FOR SELECT TO pg_read_all_data USING (id > 0);
