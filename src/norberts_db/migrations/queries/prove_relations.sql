-- The relations of the user's schemas, for migration.prove: a statement that
-- changes relfilenode rewrote the relation. The toolkit's own history schema
-- is left out.
SELECT
    c.oid::bigint AS oid,
    n.nspname AS schema_name,
    c.relname AS relation_name,
    c.relkind::text AS kind,
    c.relfilenode::bigint AS filenode
FROM pg_catalog.pg_class AS c
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    c.relkind IN ('r', 'p', 'm', 'i', 'I')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'norberts_db')
    AND n.nspname NOT LIKE 'pg\_%';
