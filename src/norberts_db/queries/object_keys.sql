-- The objects of the database a DROP ... CASCADE could take, by OID (cascade.py),
-- but those of %(known)s. Objects made at initdb have OIDs below 16384
-- (FirstNormalObjectId) and are left out.
--
-- Nearly every object is the dependent of some pg_depend row (on its schema,
-- its table, its type). Schemas depend on nothing there, and a column only
-- when its type or collation can be dropped, so both are added: a column a
-- person added to a schema table goes when the table is dropped and created.
SELECT
    dep.classid::oid AS classid,
    dep.objid,
    dep.objsubid
FROM pg_catalog.pg_depend AS dep
WHERE dep.objid >= 16384 AND NOT dep.objid = ANY(%(known)s::oid[])
UNION
SELECT
    'pg_catalog.pg_namespace'::regclass::oid AS classid,
    n.oid AS objid,
    0 AS objsubid
FROM pg_catalog.pg_namespace AS n
WHERE n.oid >= 16384 AND NOT n.oid = ANY(%(known)s::oid[])
UNION
SELECT
    'pg_catalog.pg_class'::regclass::oid AS classid,
    a.attrelid AS objid,
    a.attnum AS objsubid
FROM pg_catalog.pg_attribute AS a
INNER JOIN pg_catalog.pg_class AS c ON a.attrelid = c.oid
WHERE
    c.oid >= 16384
    AND NOT c.oid = ANY(%(known)s::oid[])
    AND c.relkind IN ('r', 'p', 'f')
    AND a.attnum > 0
    AND NOT a.attisdropped
