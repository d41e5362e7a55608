-- Sequences no column owns through an identity or a serial: those go with
-- their column.
SELECT
    n.nspname AS schema,
    c.relname AS name,
    quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qualified,
    format_type(s.seqtypid, NULL) AS type,
    s.seqstart::text AS seq_start,
    s.seqincrement::text AS seq_increment,
    s.seqmin::text AS seq_min,
    s.seqmax::text AS seq_max,
    s.seqcache::text AS seq_cache,
    s.seqcycle AS seq_cycle,
    obj_description(c.oid, 'pg_class') AS comment
FROM pg_catalog.pg_sequence AS s
INNER JOIN pg_catalog.pg_class AS c ON s.seqrelid = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema', 'norberts_db')
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_class'::regclass
            AND d.objid = c.oid
            AND d.deptype IN ('i', 'a', 'e')
    )
ORDER BY c.oid;
