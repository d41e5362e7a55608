-- Casts made with CREATE CAST. Casts belong to the database, not to a schema,
-- and have no owner. Left out: initdb's (OIDs below 16384, FirstNormalObjectId),
-- extensions' (deptype e), and those a type makes for itself (deptype i, such
-- as a range type's cast to its multirange), which come and go with the type.
-- A cast is named as DROP CAST names it.
SELECT
    'cast' AS kind,
    '(' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ')'
        AS name,
    CASE c.castmethod
        WHEN 'f' THEN 'WITH FUNCTION ' || c.castfunc::regprocedure::text
        WHEN 'i' THEN 'WITH INOUT'
        WHEN 'b' THEN 'WITHOUT FUNCTION'
    END AS method,
    CASE c.castcontext
        WHEN 'e' THEN 'explicit'
        WHEN 'a' THEN 'AS ASSIGNMENT'
        WHEN 'i' THEN 'AS IMPLICIT'
    END AS context,
    obj_description(c.oid, 'pg_cast') AS comment
FROM pg_catalog.pg_cast AS c
WHERE
    c.oid >= 16384
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_cast'::regclass AND d.objid = c.oid
            AND d.deptype IN ('e', 'i')
    );
