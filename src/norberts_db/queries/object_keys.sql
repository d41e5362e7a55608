-- The objects of the database a drop could remove, by OID alone: what is left
-- after the drop script ran, to tell what it removed (object_inventory.sql).
SELECT
    dep.classid::oid AS classid,
    dep.objid,
    dep.objsubid
FROM pg_catalog.pg_depend AS dep
WHERE dep.objid >= 16384
UNION
SELECT
    'pg_catalog.pg_namespace'::regclass::oid AS classid,
    n.oid AS objid,
    0 AS objsubid
FROM pg_catalog.pg_namespace AS n
WHERE n.oid >= 16384
UNION
SELECT
    'pg_catalog.pg_class'::regclass::oid AS classid,
    a.attrelid AS objid,
    a.attnum AS objsubid
FROM pg_catalog.pg_attribute AS a
INNER JOIN pg_catalog.pg_class AS c ON a.attrelid = c.oid
WHERE
    c.oid >= 16384
    AND c.relkind IN ('r', 'p', 'f')
    AND a.attnum > 0
    AND NOT a.attisdropped;
