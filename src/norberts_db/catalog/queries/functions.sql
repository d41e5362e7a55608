-- Functions, procedures, aggregates and window functions, named by their
-- signature: schema.name(argument types). The body is prosrc, or
-- the server's own rendering of a SQL-standard BEGIN ATOMIC body.
SELECT
    CASE p.prokind
        WHEN 'p' THEN 'procedure'
        WHEN 'a' THEN 'aggregate'
        WHEN 'w' THEN 'window function'
        ELSE 'function'
    END AS kind,
    -- Argument types only (qualified, as search_path is empty): renaming an
    -- argument changes the arguments attribute, not the function's identity.
    p.oid::regprocedure::text AS name,
    pg_get_function_arguments(p.oid) AS arguments,
    pg_get_function_result(p.oid) AS result,
    l.lanname AS language,
    CASE
        WHEN p.prokind = 'a' THEN NULL
        WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid)
        ELSE p.prosrc
    END AS body,
    nullif(p.probin, '') AS library,
    CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END
        AS volatility,
    CASE WHEN p.proisstrict THEN 'STRICT' ELSE 'CALLED ON NULL INPUT' END AS strictness,
    CASE WHEN p.prosecdef THEN 'SECURITY DEFINER' ELSE 'SECURITY INVOKER' END AS security,
    CASE WHEN p.proleakproof THEN 'LEAKPROOF' END AS leakproof,
    CASE p.proparallel WHEN 's' THEN 'PARALLEL SAFE' WHEN 'r' THEN 'PARALLEL RESTRICTED' END
        AS parallel,
    p.procost::text AS cost,
    nullif(p.prorows, 0)::text AS rows,
    array_to_string(p.proconfig, ', ') AS config,
    (
        SELECT
            'SFUNC ' || ag.aggtransfn::regprocedure::text
            || ' STYPE ' || format_type(ag.aggtranstype, NULL)
            || coalesce(' FINALFUNC ' || nullif(ag.aggfinalfn, 0)::regprocedure::text, '')
            || coalesce(' COMBINEFUNC ' || nullif(ag.aggcombinefn, 0)::regprocedure::text, '')
            || coalesce(' INITCOND ' || quote_literal(ag.agginitval), '')
            || CASE ag.aggkind
                WHEN 'o' THEN ' ORDERED-SET' WHEN 'h' THEN ' HYPOTHETICAL' ELSE ''
            END
        FROM pg_catalog.pg_aggregate AS ag
        WHERE ag.aggfnoid = p.oid
    ) AS aggregate,
    obj_description(p.oid, 'pg_proc') AS comment,
    pg_get_userbyid(p.proowner) AS owner,
    (
        SELECT string_agg(a.item::text, ', ' ORDER BY a.item::text)
        FROM unnest(coalesce(p.proacl, acldefault('f', p.proowner))) AS a (item)
    ) AS acl
FROM pg_catalog.pg_proc AS p
INNER JOIN pg_catalog.pg_namespace AS n ON p.pronamespace = n.oid
INNER JOIN pg_catalog.pg_language AS l ON p.prolang = l.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    );
