-- What CREATE TABLE and ALTER TABLE need beyond the snapshot: the parent and
-- bound of a partition apart, and the index a replica identity uses.
SELECT
    quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
    (
        SELECT i.inhparent::regclass::text
        FROM pg_catalog.pg_inherits AS i
        WHERE i.inhrelid = c.oid AND c.relispartition
    ) AS partition_parent,
    CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
    (
        SELECT quote_ident(ic.relname)
        FROM pg_catalog.pg_index AS x
        INNER JOIN pg_catalog.pg_class AS ic ON x.indexrelid = ic.oid
        WHERE x.indrelid = c.oid AND x.indisreplident
    ) AS replica_index
FROM pg_catalog.pg_class AS c
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'norberts_db')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%';
