-- An aggregate with a sort operator, a final function that may modify its
-- state, and serial and deserial functions appears; another changes its
-- final function.
-- a:
CREATE FUNCTION public.first_state(anyelement, anyelement) RETURNS anyelement
LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE AGGREGATE public.smallest(integer) (SFUNC = int4smaller, STYPE = integer);
-- b:
CREATE FUNCTION public.first_state(anyelement, anyelement) RETURNS anyelement
LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE FUNCTION public.doubled(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
CREATE AGGREGATE public.smallest(integer) (
    SFUNC = int4smaller, STYPE = integer, SORTOP = <, FINALFUNC = public.doubled,
    FINALFUNC_MODIFY = READ_WRITE
);
CREATE AGGREGATE public.sum_parallel(bigint) (
    SFUNC = int8_avg_accum, STYPE = internal, FINALFUNC = numeric_poly_sum,
    COMBINEFUNC = int8_avg_combine, SERIALFUNC = int8_avg_serialize,
    DESERIALFUNC = int8_avg_deserialize, PARALLEL = SAFE
);
