-- Procedural languages made with CREATE LANGUAGE, and encoding conversions
-- made with CREATE CONVERSION. Languages belong to the database; those of
-- initdb (internal, c, sql) have OIDs below 16384 and plpgsql and the others
-- come as extensions, which are compared as extensions, so both are left out.
SELECT
    'language' AS kind,
    quote_ident(l.lanname) AS name,
    CASE WHEN l.lanpltrusted THEN 'trusted' ELSE 'untrusted' END AS definition,
    nullif(l.lanplcallfoid, 0)::regprocedure::text AS handler,
    nullif(l.laninline, 0)::regprocedure::text AS inline,
    nullif(l.lanvalidator, 0)::regprocedure::text AS validator,
    NULL AS function,
    obj_description(l.oid, 'pg_language') AS comment,
    pg_get_userbyid(l.lanowner) AS owner
FROM pg_catalog.pg_language AS l
WHERE
    l.oid >= 16384
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_language'::regclass AND d.objid = l.oid AND d.deptype = 'e'
    )
UNION ALL
SELECT
    'conversion' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(c.conname) AS name,
    CASE WHEN c.condefault THEN 'DEFAULT ' ELSE '' END
    || 'FOR ' || quote_literal(pg_encoding_to_char(c.conforencoding))
    || ' TO ' || quote_literal(pg_encoding_to_char(c.contoencoding)) AS definition,
    NULL AS handler,
    NULL AS inline,
    NULL AS validator,
    c.conproc::regprocedure::text AS function,
    obj_description(c.oid, 'pg_conversion') AS comment,
    pg_get_userbyid(c.conowner) AS owner
FROM pg_catalog.pg_conversion AS c
INNER JOIN pg_catalog.pg_namespace AS n ON c.connamespace = n.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_conversion'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    );
