-- Enum types with their labels in catalog order (enumsortorder), in
-- creation order.
SELECT
    n.nspname AS schema,
    t.typname AS name,
    quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS qualified,
    array(
        SELECT e.enumlabel::text FROM pg_catalog.pg_enum AS e
        WHERE e.enumtypid = t.oid
        ORDER BY e.enumsortorder
    ) AS labels,
    obj_description(t.oid, 'pg_type') AS comment
FROM pg_catalog.pg_type AS t
INNER JOIN pg_catalog.pg_namespace AS n ON t.typnamespace = n.oid
WHERE
    t.typtype = 'e'
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'norberts_db')
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
    )
ORDER BY t.oid;
