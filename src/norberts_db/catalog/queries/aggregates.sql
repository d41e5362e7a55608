-- Aggregates as the complete CREATE AGGREGATE statement, every attribute
-- included (moving-aggregate, serial and combine functions, sort operator,
-- PARALLEL, ordered-set and hypothetical-set forms), as pg_dump writes it.
-- An attribute of the aggregate, merged with the ones functions.sql reads;
-- the migration generator runs it as it is.
SELECT
    'aggregate' AS kind,
    p.oid::regprocedure::text AS name,
    'CREATE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
    || '(' || coalesce(nullif(pg_get_function_arguments(p.oid), ''), '*') || ') (' || concat_ws(
        ', ',
        'SFUNC = ' || ag.aggtransfn::regproc::text,
        'STYPE = ' || format_type(ag.aggtranstype, NULL),
        'SSPACE = ' || nullif(ag.aggtransspace, 0),
        'FINALFUNC = ' || nullif(ag.aggfinalfn, 0)::regproc::text,
        CASE WHEN ag.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
        CASE WHEN ag.aggfinalfn <> 0 THEN 'FINALFUNC_MODIFY = ' || CASE ag.aggfinalmodify
            WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE'
        END END,
        'COMBINEFUNC = ' || nullif(ag.aggcombinefn, 0)::regproc::text,
        'SERIALFUNC = ' || nullif(ag.aggserialfn, 0)::regproc::text,
        'DESERIALFUNC = ' || nullif(ag.aggdeserialfn, 0)::regproc::text,
        'INITCOND = ' || quote_literal(ag.agginitval),
        'MSFUNC = ' || nullif(ag.aggmtransfn, 0)::regproc::text,
        'MINVFUNC = ' || nullif(ag.aggminvtransfn, 0)::regproc::text,
        'MSTYPE = ' || format_type(nullif(ag.aggmtranstype, 0), NULL),
        'MSSPACE = ' || nullif(ag.aggmtransspace, 0),
        'MFINALFUNC = ' || nullif(ag.aggmfinalfn, 0)::regproc::text,
        CASE WHEN ag.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
        CASE WHEN ag.aggmfinalfn <> 0 THEN 'MFINALFUNC_MODIFY = ' || CASE ag.aggmfinalmodify
            WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE'
        END END,
        'MINITCOND = ' || quote_literal(ag.aggminitval),
        (
            SELECT 'SORTOP = OPERATOR(' || quote_ident(opn.nspname) || '.' || o.oprname || ')'
            FROM pg_catalog.pg_operator AS o
            INNER JOIN pg_catalog.pg_namespace AS opn ON o.oprnamespace = opn.oid
            WHERE o.oid = ag.aggsortop
        ),
        CASE WHEN ag.aggkind = 'h' THEN 'HYPOTHETICAL' END,
        CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END
    ) || ')' AS definition
FROM pg_catalog.pg_aggregate AS ag
INNER JOIN pg_catalog.pg_proc AS p ON ag.aggfnoid = p.oid
INNER JOIN pg_catalog.pg_namespace AS n ON p.pronamespace = n.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    );
