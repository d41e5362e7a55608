-- What the schema file creates, for telling it apart from what CASCADE took
-- (cascade.py): how PostgreSQL names each object of object_keys.sql (composed
-- in), without the names and owners object_inventory.sql also reads, which
-- only a removed object needs.
--
-- The objects left out are those object_inventory.sql leaves out, by the same
-- conditions: keep the WHERE clauses of the two files alike.
WITH objects AS ({objects})

SELECT
    ident.type AS kind,
    ident.identity
FROM objects AS o
CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) AS ident
WHERE
    ident.identity IS NOT NULL
    AND ident.schema IS DISTINCT FROM 'pg_toast'
    AND NOT EXISTS (
        SELECT 1
        FROM pg_catalog.pg_depend AS part
        WHERE
            part.classid = o.classid
            AND part.objid = o.objid
            AND part.objsubid = o.objsubid
            AND part.deptype IN ('i', 'e')
    );
