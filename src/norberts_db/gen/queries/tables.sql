-- Tables, views and materialized views of the schema, in creation order (oid):
-- the order the schema file declares them in. Extension members and the
-- toolkit's own schema are left out.
SELECT
    c.oid::bigint AS oid,
    n.nspname AS schema,
    c.relname AS name,
    quote_ident(n.nspname) AS quoted_schema,
    quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qualified,
    c.relkind::text AS relkind,
    CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS definition,
    obj_description(c.oid, 'pg_class') AS comment
FROM pg_catalog.pg_class AS c
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    c.relkind IN ('r', 'p', 'v', 'm')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'norberts_db')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    )
ORDER BY c.oid;
