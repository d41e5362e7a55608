-- The index a CREATE INDEX CONCURRENTLY names, if it exists: PostgreSQL puts
-- it in the schema of its table. With whether it is valid, the table it is
-- on, and the session building an index on that table now, if any.
SELECT
    i.oid,
    n.nspname,
    i.relname,
    t.relname AS table_name,
    quote_ident(n.nspname) || '.' || quote_ident(i.relname) AS shown,
    x.indisvalid,
    x.indrelid = t.oid AS on_that_table,
    (
        SELECT min(p.pid)
        FROM pg_catalog.pg_stat_progress_create_index AS p
        WHERE p.relid = t.oid AND p.pid <> pg_backend_pid()
    ) AS building_pid
FROM pg_catalog.pg_class AS t
INNER JOIN pg_catalog.pg_class AS i ON t.relnamespace = i.relnamespace
INNER JOIN pg_catalog.pg_index AS x ON i.oid = x.indexrelid
INNER JOIN pg_catalog.pg_namespace AS n ON i.relnamespace = n.oid
WHERE
    t.oid = to_regclass(%(table)s)
    AND i.relname = %(name)s;
