-- Operators made with CREATE OPERATOR (those of pg_catalog and of extensions
-- are left out), named by their operand types as DROP OPERATOR names them; a
-- prefix operator has NONE on the left. A shell operator, made by naming a
-- commutator that does not exist yet, has no function.
SELECT
    'operator' AS kind,
    quote_ident(n.nspname) || '.' || o.oprname || '('
    || CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END || ','
    || format_type(o.oprright, NULL) || ')' AS name,
    nullif(o.oprcode, 0)::regprocedure::text AS function,
    format_type(o.oprresult, NULL) AS result,
    nullif(o.oprcom, 0)::regoperator::text AS "commutator",
    nullif(o.oprnegate, 0)::regoperator::text AS "negator",
    nullif(o.oprrest, 0)::regprocedure::text AS restrict,
    nullif(o.oprjoin, 0)::regprocedure::text AS "join",
    CASE WHEN o.oprcanhash THEN 'hashes' END AS "hashes",
    CASE WHEN o.oprcanmerge THEN 'merges' END AS "merges",
    obj_description(o.oid, 'pg_operator') AS comment,
    pg_get_userbyid(o.oprowner) AS owner
FROM pg_catalog.pg_operator AS o
INNER JOIN pg_catalog.pg_namespace AS n ON o.oprnamespace = n.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e'
    );
