-- Row-level security policies, named schema.table.policy. Whether RLS is
-- enabled (and forced) on the table is an attribute of the table.
SELECT
    'policy' AS kind,
    quote_ident(n.nspname)
    || '.'
    || quote_ident(c.relname)
    || '.'
    || quote_ident(pol.polname) AS name,
    CASE pol.polcmd
        WHEN 'r' THEN 'SELECT'
        WHEN 'a' THEN 'INSERT'
        WHEN 'w' THEN 'UPDATE'
        WHEN 'd' THEN 'DELETE'
        ELSE 'ALL'
    END AS command,
    CASE WHEN pol.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END AS mode,
    (
        SELECT
            string_agg(
                CASE WHEN r.role = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.role)) END,
                ', ' ORDER BY 1
            )
        FROM unnest(pol.polroles) AS r (role)
    ) AS roles,
    pg_get_expr(pol.polqual, pol.polrelid) AS "using",
    pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check,
    obj_description(pol.oid, 'pg_policy') AS comment
FROM pg_catalog.pg_policy AS pol
INNER JOIN pg_catalog.pg_class AS c ON pol.polrelid = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    );
