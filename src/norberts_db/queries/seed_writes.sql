-- Rows this transaction has inserted, updated or deleted so far, per table
-- (triggers included), from PostgreSQL's own per-transaction counters. The
-- seed loader reads it before and after the seed to see what the seed wrote.
-- Temporary tables are the seed's own scratch space, not data. In the order
-- the tables were made, which is the schema file's order.
SELECT
    s.schemaname,
    s.relname,
    s.n_tup_ins + s.n_tup_upd + s.n_tup_del AS written
FROM pg_catalog.pg_stat_xact_user_tables AS s
WHERE NOT starts_with(s.schemaname, 'pg_temp')
ORDER BY s.relid;
