-- Domains. Their CHECK constraints are objects of their own (constraints.sql),
-- named schema.domain.constraint; NOT NULL is an attribute here because
-- PostgreSQL 17 and later also store it as an unnamed-by-user constraint.
SELECT
    'domain' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS name,
    format_type(t.typbasetype, t.typtypmod) AS base_type,
    CASE WHEN t.typnotnull THEN 'NOT NULL' ELSE 'NULL' END AS nullable,
    pg_get_expr(t.typdefaultbin, 0) AS "default",
    CASE
        WHEN t.typcollation <> bt.typcollation THEN t.typcollation::regcollation::text
    END AS collation,
    obj_description(t.oid, 'pg_type') AS comment,
    pg_get_userbyid(t.typowner) AS owner,
    (
        SELECT string_agg(a.item::text, ', ' ORDER BY a.item::text)
        FROM unnest(coalesce(t.typacl, acldefault('T', t.typowner))) AS a (item)
    ) AS acl
FROM pg_catalog.pg_type AS t
INNER JOIN pg_catalog.pg_namespace AS n ON t.typnamespace = n.oid
INNER JOIN pg_catalog.pg_type AS bt ON t.typbasetype = bt.oid
WHERE
    t.typtype = 'd'
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
    );
