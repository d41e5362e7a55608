-- Free-standing sequences (serial columns, CREATE SEQUENCE). Identity
-- sequences are left out: their parameters are an attribute of the identity
-- column, and their generated names mean nothing. The current value is data,
-- not schema, and is not read.
SELECT
    'sequence' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
    format_type(s.seqtypid, NULL) AS type,
    CASE WHEN c.relpersistence = 'u' THEN 'unlogged' END AS persistence,
    s.seqstart::text AS start,
    s.seqincrement::text AS increment,
    s.seqmin::text AS minvalue,
    s.seqmax::text AS maxvalue,
    s.seqcache::text AS cache,
    CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END AS cycle,
    (
        SELECT d.refobjid::regclass::text || '.' || quote_ident(a.attname)
        FROM pg_catalog.pg_depend AS d
        INNER JOIN pg_catalog.pg_attribute AS a
            ON d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
        WHERE
            d.classid = 'pg_catalog.pg_class'::regclass
            AND d.objid = c.oid
            AND d.refclassid = 'pg_catalog.pg_class'::regclass
            AND d.deptype = 'a'
    ) AS owned_by,
    obj_description(c.oid, 'pg_class') AS comment,
    pg_get_userbyid(c.relowner) AS owner,
    (
        SELECT string_agg(a.item::text, ', ' ORDER BY a.item::text)
        FROM unnest(coalesce(c.relacl, acldefault('s', c.relowner))) AS a (item)
    ) AS acl
FROM pg_catalog.pg_class AS c
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
INNER JOIN pg_catalog.pg_sequence AS s ON c.oid = s.seqrelid
WHERE
    c.relkind = 'S'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_class'::regclass
            AND d.objid = c.oid
            AND d.deptype IN ('e', 'i')
    )
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%';
