-- Which rows of object_keys.sql (as o, identified as ident) are objects of their
-- own: a toast table, or a part of another object (an index of a constraint, an
-- extension's member) goes with its owner. Composed into object_inventory.sql and
-- object_identities.sql by cascade.py, so the two always list the same objects.
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
)
