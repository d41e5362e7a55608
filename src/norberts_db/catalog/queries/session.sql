-- Settings for the snapshot transaction, so both databases print the same way.
-- An empty search_path makes every pg_get_* function and format_type qualify
-- names outside pg_catalog, whatever search_path the database or role sets.
-- Constants in defaults and checks print in DateStyle and IntervalStyle.
-- No JIT, as pg_dump does: on a catalog of thousands of tables the planner's
-- estimates pass jit_above_cost, and compiling costs more than the query.
-- No nested loops: a database just built still has its template's statistics
-- for its catalogs, and the planner, counting on a few hundred rows, nests
-- loops over thousands; a shadow database is always just built. Hash and
-- merge joins cost about the same on a small catalog and half on a large new one.
SELECT
    set_config('search_path', '', true),
    set_config('datestyle', 'ISO, YMD', true),
    set_config('intervalstyle', 'postgres', true),
    set_config('timezone', 'UTC', true),
    set_config('extra_float_digits', '1', true),
    set_config('bytea_output', 'hex', true),
    set_config('quote_all_identifiers', 'off', true),
    set_config('jit', 'off', true),
    set_config('enable_nestloop', 'off', true);
