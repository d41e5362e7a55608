-- Operator families and operator classes made by the schema (pg_catalog's and
-- extensions' are left out), named with their index method, since each method
-- has its own namespace of them. A family's members are the operators and
-- support functions of all its classes, as ALTER OPERATOR FAMILY writes them;
-- a class adds its type, whether it is the type's default, its storage type
-- and its family.
SELECT
    'operator family' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(f.opfname) || ' USING ' || quote_ident(am.amname)
        AS name,
    NULL AS definition,
    (
        SELECT string_agg(members.member, ', ' ORDER BY members.member)
        FROM (
            SELECT
                'OPERATOR ' || ao.amopstrategy || ' ' || ao.amopopr::regoperator::text
                || CASE
                    WHEN ao.amoppurpose = 'o'
                        THEN (
                            SELECT
                                ' FOR ORDER BY ' || quote_ident(sn.nspname) || '.'
                                || quote_ident(sf.opfname)
                            FROM pg_catalog.pg_opfamily AS sf
                            INNER JOIN pg_catalog.pg_namespace AS sn ON sf.opfnamespace = sn.oid
                            WHERE sf.oid = ao.amopsortfamily
                        )
                    ELSE ''
                END AS member
            FROM pg_catalog.pg_amop AS ao
            WHERE ao.amopfamily = f.oid
            UNION ALL
            SELECT
                'FUNCTION ' || ap.amprocnum || ' (' || format_type(ap.amproclefttype, NULL) || ', '
                || format_type(ap.amprocrighttype, NULL) || ') ' || ap.amproc::regprocedure::text
            FROM pg_catalog.pg_amproc AS ap
            WHERE ap.amprocfamily = f.oid
        ) AS members
    ) AS members,
    obj_description(f.oid, 'pg_opfamily') AS comment,
    pg_get_userbyid(f.opfowner) AS owner
FROM pg_catalog.pg_opfamily AS f
INNER JOIN pg_catalog.pg_namespace AS n ON f.opfnamespace = n.oid
INNER JOIN pg_catalog.pg_am AS am ON f.opfmethod = am.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_opfamily'::regclass AND d.objid = f.oid AND d.deptype = 'e'
    )
UNION ALL
SELECT
    'operator class' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(c.opcname) || ' USING ' || quote_ident(am.amname)
        AS name,
    CASE WHEN c.opcdefault THEN 'DEFAULT ' ELSE '' END
    || 'FOR TYPE ' || format_type(c.opcintype, NULL)
    || ' FAMILY ' || quote_ident(fn.nspname) || '.' || quote_ident(f.opfname)
    || CASE
        WHEN c.opckeytype <> 0 THEN ' STORAGE ' || format_type(c.opckeytype, NULL)
        ELSE ''
    END AS definition,
    NULL AS members,
    obj_description(c.oid, 'pg_opclass') AS comment,
    pg_get_userbyid(c.opcowner) AS owner
FROM pg_catalog.pg_opclass AS c
INNER JOIN pg_catalog.pg_namespace AS n ON c.opcnamespace = n.oid
INNER JOIN pg_catalog.pg_am AS am ON c.opcmethod = am.oid
INNER JOIN pg_catalog.pg_opfamily AS f ON c.opcfamily = f.oid
INNER JOIN pg_catalog.pg_namespace AS fn ON f.opfnamespace = fn.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_opclass'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    );
