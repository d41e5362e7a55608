-- Routines PostgreSQL makes along with another object and drops with it: a
-- range type's multirange constructors. They are not the schema's, so the
-- snapshot leaves them out of the functions that functions.sql reads.
SELECT
    'internal routine' AS kind,
    p.oid::regprocedure::text AS name
FROM pg_catalog.pg_proc AS p
WHERE EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend AS d
    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i'
);
