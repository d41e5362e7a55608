-- Functions and procedures as the complete statement that creates them
-- (pg_get_functiondef), and aggregates in the pieces CREATE AGGREGATE takes.
-- Named by signature, exactly as in the snapshot.
SELECT
    p.oid::regprocedure::text AS name,
    p.prokind,
    CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
    pg_get_function_identity_arguments(p.oid) AS identity_arguments,
    quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS qualified_name,
    ag.aggtransfn::regproc::text AS sfunc,
    format_type(ag.aggtranstype, NULL) AS stype,
    nullif(ag.aggfinalfn, 0)::regproc::text AS finalfunc,
    nullif(ag.aggcombinefn, 0)::regproc::text AS combinefunc,
    ag.agginitval AS initcond,
    -- Made by PostgreSQL along with another object (a multirange's constructors).
    EXISTS(
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i'
    ) AS is_internal
FROM pg_catalog.pg_proc AS p
INNER JOIN pg_catalog.pg_namespace AS n ON p.pronamespace = n.oid
LEFT JOIN pg_catalog.pg_aggregate AS ag ON p.oid = ag.aggfnoid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema', 'norberts_db')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    );
