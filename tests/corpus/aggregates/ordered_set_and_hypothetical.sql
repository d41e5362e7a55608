-- An ordered-set aggregate and a hypothetical-set one appear, with comments.
-- a:
CREATE TABLE public.t (x integer);
-- b:
CREATE TABLE public.t (x integer);
CREATE FUNCTION public.pick_state(internal, anyelement) RETURNS internal
LANGUAGE internal IMMUTABLE AS 'ordered_set_transition';
CREATE AGGREGATE public.my_percentile(double precision ORDER BY anyelement) (
    SFUNC = public.pick_state, STYPE = internal,
    FINALFUNC = pg_catalog.percentile_disc_final, FINALFUNC_EXTRA
);
COMMENT ON AGGREGATE public.my_percentile(double precision ORDER BY anyelement) IS 'A percentile.';
CREATE FUNCTION public.rank_state(internal, VARIADIC "any") RETURNS internal
LANGUAGE internal IMMUTABLE AS 'ordered_set_transition_multi';
CREATE AGGREGATE public.my_rank(VARIADIC "any" ORDER BY VARIADIC "any") (
    SFUNC = public.rank_state, STYPE = internal,
    FINALFUNC = pg_catalog.rank_final, FINALFUNC_EXTRA, HYPOTHETICAL
);
