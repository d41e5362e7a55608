-- An aggregate changes its PARALLEL, combine function and initial state,
-- and gains a moving-aggregate form; a zero-argument one with a comment
-- appears.
-- a:
CREATE FUNCTION public.add_state(bigint, integer) RETURNS bigint
LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE FUNCTION public.sub_state(bigint, integer) RETURNS bigint
LANGUAGE sql IMMUTABLE AS 'SELECT $1 - $2';
CREATE FUNCTION public.both_states(bigint, bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE AGGREGATE public.total(integer) (SFUNC = public.add_state, STYPE = bigint, INITCOND = '0');
-- b:
CREATE FUNCTION public.add_state(bigint, integer) RETURNS bigint
LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE FUNCTION public.sub_state(bigint, integer) RETURNS bigint
LANGUAGE sql IMMUTABLE AS 'SELECT $1 - $2';
CREATE FUNCTION public.both_states(bigint, bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE AGGREGATE public.total(integer) (
    SFUNC = public.add_state, STYPE = bigint, INITCOND = '10',
    COMBINEFUNC = public.both_states, PARALLEL = SAFE,
    MSFUNC = public.add_state, MINVFUNC = public.sub_state, MSTYPE = bigint, MINITCOND = '0'
);
CREATE FUNCTION public.count_state(bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1';
CREATE AGGREGATE public.rows_seen(*) (SFUNC = public.count_state, STYPE = bigint, INITCOND = '0');
COMMENT ON AGGREGATE public.rows_seen(*) IS 'Counts rows.';
