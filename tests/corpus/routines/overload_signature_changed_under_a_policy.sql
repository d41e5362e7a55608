-- Two overloads of one name; the one a policy uses changes its argument type,
-- so the policy is rebuilt and every statement names the overload by its
-- argument types ("function ... is not unique" otherwise).
-- a:
CREATE FUNCTION public.allowed(n integer) RETURNS boolean LANGUAGE sql AS 'SELECT n > 0';
CREATE FUNCTION public.allowed(t text) RETURNS boolean LANGUAGE sql AS 'SELECT t <> ''''';
CREATE TABLE public.t (id integer, name text);
ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY t_read ON public.t USING (public.allowed(id));
COMMENT ON FUNCTION public.allowed(integer) IS 'by number';
-- b:
CREATE FUNCTION public.allowed(n bigint) RETURNS boolean LANGUAGE sql AS 'SELECT n > 0';
CREATE FUNCTION public.allowed(t text) RETURNS boolean LANGUAGE sql AS 'SELECT t <> ''''';
CREATE TABLE public.t (id integer, name text);
ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY t_read ON public.t USING (public.allowed(id));
COMMENT ON FUNCTION public.allowed(bigint) IS 'by number';
