-- Base types (CREATE TYPE name (INPUT = ..., OUTPUT = ...)) and shell types
-- (CREATE TYPE name, not defined yet), made by the schema. Array types that
-- PostgreSQL makes for every type, and types of extensions, are left out.
-- A base type's definition is its CREATE TYPE options.
SELECT
    CASE WHEN t.typisdefined THEN 'base type' ELSE 'shell type' END AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS name,
    CASE WHEN t.typisdefined THEN concat_ws(
        ', ',
        'INPUT = ' || t.typinput::regprocedure::text,
        'OUTPUT = ' || t.typoutput::regprocedure::text,
        'RECEIVE = ' || nullif(t.typreceive, 0)::regprocedure::text,
        'SEND = ' || nullif(t.typsend, 0)::regprocedure::text,
        'TYPMOD_IN = ' || nullif(t.typmodin, 0)::regprocedure::text,
        'TYPMOD_OUT = ' || nullif(t.typmodout, 0)::regprocedure::text,
        'ANALYZE = ' || nullif(t.typanalyze, 0)::regprocedure::text,
        'SUBSCRIPT = ' || nullif(t.typsubscript, 0)::regprocedure::text,
        'INTERNALLENGTH = '
        || CASE WHEN t.typlen = -1 THEN 'VARIABLE' ELSE t.typlen::text END,
        CASE WHEN t.typbyval THEN 'PASSEDBYVALUE' END,
        'ALIGNMENT = ' || CASE t.typalign
            WHEN 'c' THEN 'char' WHEN 's' THEN 'int2' WHEN 'i' THEN 'int4' ELSE 'double'
        END,
        'STORAGE = ' || CASE t.typstorage
            WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' ELSE 'extended'
        END,
        'CATEGORY = ' || quote_literal(t.typcategory::text),
        CASE WHEN t.typispreferred THEN 'PREFERRED = true' END,
        'DEFAULT = ' || quote_literal(t.typdefault),
        'ELEMENT = ' || nullif(t.typelem, 0)::regtype::text,
        'DELIMITER = ' || quote_literal(t.typdelim::text),
        CASE WHEN t.typcollation <> 0 THEN 'COLLATABLE = true' END
    ) END AS definition,
    obj_description(t.oid, 'pg_type') AS comment,
    pg_get_userbyid(t.typowner) AS owner
FROM pg_catalog.pg_type AS t
INNER JOIN pg_catalog.pg_namespace AS n ON t.typnamespace = n.oid
WHERE
    (t.typtype = 'b' OR (t.typtype = 'p' AND NOT t.typisdefined))
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_type AS e
        WHERE e.typarray = t.oid
    )
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
    );
