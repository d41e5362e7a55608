-- The objects of object_keys.sql (composed in by cascade.py), with how
-- PostgreSQL names each and the object it belongs to.
--
-- An object with an internal or extension dependency (a view's rule and row
-- type, a foreign key's triggers, a primary key's index, an extension's
-- members) is part of another and goes with it: it is left out. The owner of
-- the rest is the target of an automatic dependency (a constraint's or a
-- trigger's table or column, a default's column), and a column's owner is its
-- relation, so that a listing shows an object whose owner it shows too only
-- once. Triggers, constraints
-- and columns have no schema of their own: theirs is their table's.
WITH objects AS ({objects}),

-- Each object's first automatic dependency, all in one pass over pg_depend
-- (one look-up per object costs seconds on 100,000 objects).
owners AS (
    SELECT DISTINCT ON (d.classid, d.objid, d.objsubid)
        d.classid,
        d.objid,
        d.objsubid,
        d.refclassid,
        d.refobjid,
        d.refobjsubid
    FROM pg_catalog.pg_depend AS d
    WHERE d.deptype = 'a'
    ORDER BY d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid
)

SELECT
    o.classid::oid AS classid,
    o.objid,
    o.objsubid,
    ident.type AS kind,
    coalesce(
        ident.schema,
        CASE WHEN ident.type = 'schema' THEN ident.identity END,
        CASE WHEN cardinality(addr.object_names) > 1 THEN addr.object_names[1] END
    ) AS schema,
    addr.object_names[cardinality(addr.object_names)] AS name,
    ident.identity,
    coalesce(CASE WHEN o.objsubid <> 0 THEN o.classid::oid END, owner.refclassid) AS owner_classid,
    coalesce(CASE WHEN o.objsubid <> 0 THEN o.objid END, owner.refobjid) AS owner_objid,
    CASE WHEN o.objsubid <> 0 THEN 0 ELSE owner.refobjsubid END AS owner_objsubid
FROM objects AS o
CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) AS ident
CROSS JOIN
    LATERAL
    pg_catalog.pg_identify_object_as_address(o.classid, o.objid, o.objsubid) AS addr
LEFT JOIN owners AS owner
    ON
        o.classid = owner.classid
        AND o.objid = owner.objid
        AND o.objsubid = owner.objsubid
WHERE {listed};
