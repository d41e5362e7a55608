-- The dependencies of objects made after initdb: what each object needs
-- (normal), and what it is a part of (internal, automatic, extension). A
-- foreign key names its table and itself, for breaking a cycle of foreign
-- keys before the tables go.
SELECT
    d.classid::bigint AS classid,
    d.objid::bigint AS objid,
    d.refclassid::bigint AS refclassid,
    d.refobjid::bigint AS refobjid,
    d.deptype::text AS deptype,
    CASE WHEN co.contype = 'f' THEN quote_ident(cn.nspname) || '.' || quote_ident(cc.relname) END
        AS fk_table,
    CASE WHEN co.contype = 'f' THEN quote_ident(co.conname) END AS fk_name
FROM pg_catalog.pg_depend AS d
LEFT JOIN pg_catalog.pg_constraint AS co
    ON d.classid = 'pg_catalog.pg_constraint'::regclass AND d.objid = co.oid
LEFT JOIN pg_catalog.pg_class AS cc ON co.conrelid = cc.oid
LEFT JOIN pg_catalog.pg_namespace AS cn ON cc.relnamespace = cn.oid
WHERE d.objid >= 16384 AND d.deptype IN ('n', 'a', 'i', 'e', 'x')
ORDER BY d.classid, d.objid, d.refclassid, d.refobjid;
