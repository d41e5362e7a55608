-- Schemas: every user schema, including public, but no system schema and no
-- schema an extension created.
SELECT
    'schema' AS kind,
    quote_ident(n.nspname) AS name,
    obj_description(n.oid, 'pg_namespace') AS comment,
    pg_get_userbyid(n.nspowner) AS owner,
    (
        SELECT string_agg(a.item::text, ', ' ORDER BY a.item::text)
        FROM unnest(coalesce(n.nspacl, acldefault('n', n.nspowner))) AS a (item)
    ) AS acl
FROM pg_catalog.pg_namespace AS n
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_namespace'::regclass
            AND d.objid = n.oid
            AND d.deptype = 'e'
    );
