-- Extended statistics (CREATE STATISTICS), named schema.statistics like any
-- object of a schema. pg_get_statisticsobjdef carries the kinds, the columns
-- or expressions and the table. The statistics target is an attribute only
-- when set: PostgreSQL 15 and 16 store -1 for the default, 17 and later NULL,
-- so both read as unset.
SELECT
    'statistics' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(s.stxname) AS name,
    pg_get_statisticsobjdef(s.oid) AS definition,
    nullif(s.stxstattarget, -1)::text AS statistics_target,
    obj_description(s.oid, 'pg_statistic_ext') AS comment,
    pg_get_userbyid(s.stxowner) AS owner
FROM pg_catalog.pg_statistic_ext AS s
INNER JOIN pg_catalog.pg_namespace AS n ON s.stxnamespace = n.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.deptype = 'e'
            AND (
                (d.classid = 'pg_catalog.pg_statistic_ext'::regclass AND d.objid = s.oid)
                OR (d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.stxrelid)
            )
    );
