-- Collations made with CREATE COLLATION: those in system schemas (initdb's)
-- and an extension's are left out. The locale columns differ by major
-- (colliculocale on 15 and 16, colllocale from 17, collicurules from 16), so
-- they are read through the row as JSON, which every major can run; a
-- missing one is NULL, which means unset. collversion is the library's
-- version on this server, not part of the definition, and is not read.
SELECT
    'collation' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(co.collname) AS name,
    CASE co.collprovider
        WHEN 'c' THEN 'libc'
        WHEN 'i' THEN 'icu'
        WHEN 'b' THEN 'builtin'
        ELSE co.collprovider::text
    END AS provider,
    coalesce(row_data.row_json ->> 'colllocale', row_data.row_json ->> 'colliculocale') AS locale,
    co.collcollate AS lc_collate,
    co.collctype AS lc_ctype,
    row_data.row_json ->> 'collicurules' AS rules,
    CASE WHEN co.collisdeterministic THEN 'deterministic' ELSE 'not deterministic' END
        AS deterministic,
    obj_description(co.oid, 'pg_collation') AS comment,
    pg_get_userbyid(co.collowner) AS owner
FROM pg_catalog.pg_collation AS co
INNER JOIN pg_catalog.pg_namespace AS n ON co.collnamespace = n.oid
-- The row as JSON, for the attributes a major may lack (a CTE cannot see co).
CROSS JOIN LATERAL (SELECT to_jsonb(co) AS row_json) AS row_data -- noqa: ST05
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_collation'::regclass AND d.objid = co.oid AND d.deptype = 'e'
    );
