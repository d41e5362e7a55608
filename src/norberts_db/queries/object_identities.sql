-- The kind and identity of each object of object_keys.sql (composed in by
-- cascade.py): what the schema file created, told apart from what a drop
-- removed by these two alone. The objects object_inventory.sql leaves out
-- are left out here too; names and owners are not needed, so neither is
-- read (on thousands of tables they are most of object_inventory's time).
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
