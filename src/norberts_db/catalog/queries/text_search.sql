-- Text search configurations, dictionaries, parsers and templates made by the
-- schema (pg_catalog's and extensions' are left out). Each one's definition is
-- written as its CREATE statement's options. A configuration's mapping of one
-- token type is an object of its own, named configuration.token, with the
-- dictionaries in the order they are consulted: a changed mapping is reported
-- by itself, not as the whole list of a configuration's token types.
WITH configurations AS (
    SELECT
        c.oid,
        c.cfgparser,
        c.cfgowner,
        quote_ident(n.nspname) || '.' || quote_ident(c.cfgname) AS name
    FROM pg_catalog.pg_ts_config AS c
    INNER JOIN pg_catalog.pg_namespace AS n ON c.cfgnamespace = n.oid
    WHERE
        n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_depend AS d
            WHERE
                d.classid = 'pg_catalog.pg_ts_config'::regclass
                AND d.objid = c.oid AND d.deptype = 'e'
        )
)

SELECT
    'text search configuration' AS kind,
    c.name,
    (
        SELECT 'PARSER = ' || quote_ident(pn.nspname) || '.' || quote_ident(p.prsname)
        FROM pg_catalog.pg_ts_parser AS p
        INNER JOIN pg_catalog.pg_namespace AS pn ON p.prsnamespace = pn.oid
        WHERE p.oid = c.cfgparser
    ) AS definition,
    NULL AS dictionaries,
    obj_description(c.oid, 'pg_ts_config') AS comment,
    pg_get_userbyid(c.cfgowner) AS owner
FROM configurations AS c
UNION ALL
SELECT
    'text search mapping' AS kind,
    c.name || '.' || quote_ident(t.alias) AS name,
    NULL AS definition,
    string_agg(
        quote_ident(dn.nspname) || '.' || quote_ident(dict.dictname), ', ' ORDER BY m.mapseqno
    ) AS dictionaries,
    NULL AS comment,
    NULL AS owner
FROM configurations AS c
INNER JOIN pg_catalog.pg_ts_config_map AS m ON c.oid = m.mapcfg
INNER JOIN ts_token_type(c.cfgparser) AS t ON m.maptokentype = t.tokid
INNER JOIN pg_catalog.pg_ts_dict AS dict ON m.mapdict = dict.oid
INNER JOIN pg_catalog.pg_namespace AS dn ON dict.dictnamespace = dn.oid
GROUP BY c.name, t.alias
UNION ALL
SELECT
    'text search dictionary' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(d.dictname) AS name,
    (
        SELECT 'TEMPLATE = ' || quote_ident(tn.nspname) || '.' || quote_ident(t.tmplname)
        FROM pg_catalog.pg_ts_template AS t
        INNER JOIN pg_catalog.pg_namespace AS tn ON t.tmplnamespace = tn.oid
        WHERE t.oid = d.dicttemplate
    ) || coalesce(', ' || d.dictinitoption, '') AS definition,
    NULL AS dictionaries,
    obj_description(d.oid, 'pg_ts_dict') AS comment,
    pg_get_userbyid(d.dictowner) AS owner
FROM pg_catalog.pg_ts_dict AS d
INNER JOIN pg_catalog.pg_namespace AS n ON d.dictnamespace = n.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS dep
        WHERE
            dep.classid = 'pg_catalog.pg_ts_dict'::regclass
            AND dep.objid = d.oid
            AND dep.deptype = 'e'
    )
UNION ALL
SELECT
    'text search parser' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(p.prsname) AS name,
    'START = ' || p.prsstart::regprocedure::text
    || ', GETTOKEN = ' || p.prstoken::regprocedure::text
    || ', END = ' || p.prsend::regprocedure::text
    || ', LEXTYPES = ' || p.prslextype::regprocedure::text
    || coalesce(', HEADLINE = ' || nullif(p.prsheadline, 0)::regprocedure::text, '') AS definition,
    NULL AS dictionaries,
    obj_description(p.oid, 'pg_ts_parser') AS comment,
    NULL AS owner
FROM pg_catalog.pg_ts_parser AS p
INNER JOIN pg_catalog.pg_namespace AS n ON p.prsnamespace = n.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_ts_parser'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    )
UNION ALL
SELECT
    'text search template' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(t.tmplname) AS name,
    'LEXIZE = ' || t.tmpllexize::regprocedure::text
    || coalesce(', INIT = ' || nullif(t.tmplinit, 0)::regprocedure::text, '') AS definition,
    NULL AS dictionaries,
    obj_description(t.oid, 'pg_ts_template') AS comment,
    NULL AS owner
FROM pg_catalog.pg_ts_template AS t
INNER JOIN pg_catalog.pg_namespace AS n ON t.tmplnamespace = n.oid
WHERE
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_ts_template'::regclass
            AND d.objid = t.oid
            AND d.deptype = 'e'
    );
