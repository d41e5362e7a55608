-- An operator loses its join estimator and gains a comment; a prefix
-- operator appears; a family loses a member.
-- a:
CREATE FUNCTION public.bigger(integer, integer) RETURNS boolean
LANGUAGE sql IMMUTABLE AS 'SELECT $1 > $2';
CREATE OPERATOR public.>>> (
    LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.bigger,
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR FAMILY public.fam USING btree;
ALTER OPERATOR FAMILY public.fam USING btree
    ADD OPERATOR 1 < (integer, integer), OPERATOR 3 = (integer, integer);
-- b:
CREATE FUNCTION public.bigger(integer, integer) RETURNS boolean
LANGUAGE sql IMMUTABLE AS 'SELECT $1 > $2';
CREATE OPERATOR public.>>> (
    LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.bigger, RESTRICT = scalargtsel
);
COMMENT ON OPERATOR public.>>> (integer, integer) IS 'Bigger.';
CREATE FUNCTION public.negated(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT -$1';
CREATE OPERATOR public.~~~ (RIGHTARG = integer, FUNCTION = public.negated);
CREATE OPERATOR FAMILY public.fam USING btree;
ALTER OPERATOR FAMILY public.fam USING btree ADD OPERATOR 1 < (integer, integer);
