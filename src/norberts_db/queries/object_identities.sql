-- The kind and identity of each object of object_keys.sql (composed in by
-- cascade.py): what the schema file created, told apart from what a drop
-- removed by these two alone. The objects are those object_inventory.sql
-- lists (the filter of object_listed.sql); names and owners are not needed, so
-- neither is read (on thousands of tables they are most of object_inventory's time).
WITH objects AS ({objects})

SELECT
    ident.type AS kind,
    ident.identity
FROM objects AS o
CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) AS ident
WHERE {listed};
