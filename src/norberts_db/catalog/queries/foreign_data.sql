-- Foreign-data wrappers, foreign servers and foreign tables (extensions' are
-- left out). Options are compared, but the value of an option whose name
-- suggests a secret is shown only as a digest: a changed password is reported
-- without being printed. User mappings hold credentials and are not read.
WITH options AS (
    SELECT
        o.catalog,
        o.holder,
        (
            SELECT
                string_agg(
                    CASE
                        WHEN split_part(item, '=', 1) ~* '(password|secret|token|key)'
                            THEN
                                split_part(item, '=', 1) || '=(hidden, md5 '
                                || left(md5(substr(item, strpos(item, '=') + 1)), 8) || ')'
                        ELSE item
                    END,
                    ', ' ORDER BY ord
                )
            FROM unnest(o.list) WITH ORDINALITY AS i (item, ord)
        ) AS shown
    FROM (
        SELECT
            'w' AS catalog,
            w.oid AS holder,
            w.fdwoptions AS list
        FROM pg_catalog.pg_foreign_data_wrapper AS w
        UNION ALL
        SELECT
            's',
            s.oid,
            s.srvoptions
        FROM pg_catalog.pg_foreign_server AS s
        UNION ALL
        SELECT
            't',
            t.ftrelid,
            t.ftoptions
        FROM pg_catalog.pg_foreign_table AS t
    ) AS o
)

SELECT
    'foreign data wrapper' AS kind,
    quote_ident(w.fdwname) AS name,
    nullif(w.fdwhandler, 0)::regprocedure::text AS handler,
    nullif(w.fdwvalidator, 0)::regprocedure::text AS validator,
    NULL AS wrapper,
    NULL AS server,
    NULL AS type,
    NULL AS version,
    NULL AS columns,
    (
        SELECT o.shown FROM options AS o
        WHERE o.catalog = 'w' AND o.holder = w.oid
    ) AS options,
    obj_description(w.oid, 'pg_foreign_data_wrapper') AS comment,
    pg_get_userbyid(w.fdwowner) AS owner,
    array_to_string(w.fdwacl, ', ') AS acl
FROM pg_catalog.pg_foreign_data_wrapper AS w
WHERE
    NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_foreign_data_wrapper'::regclass
            AND d.objid = w.oid AND d.deptype = 'e'
    )
UNION ALL
SELECT
    'server' AS kind,
    quote_ident(s.srvname) AS name,
    NULL AS handler,
    NULL AS validator,
    quote_ident(w.fdwname) AS wrapper,
    NULL AS server,
    s.srvtype AS type,
    s.srvversion AS version,
    NULL AS columns,
    (
        SELECT o.shown FROM options AS o
        WHERE o.catalog = 's' AND o.holder = s.oid
    ) AS options,
    obj_description(s.oid, 'pg_foreign_server') AS comment,
    pg_get_userbyid(s.srvowner) AS owner,
    array_to_string(s.srvacl, ', ') AS acl
FROM pg_catalog.pg_foreign_server AS s
INNER JOIN pg_catalog.pg_foreign_data_wrapper AS w ON s.srvfdw = w.oid
WHERE
    NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.classid = 'pg_catalog.pg_foreign_server'::regclass
            AND d.objid = s.oid
            AND d.deptype = 'e'
    )
UNION ALL
SELECT
    'foreign table' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
    NULL AS handler,
    NULL AS validator,
    NULL AS wrapper,
    quote_ident(s.srvname) AS server,
    NULL AS type,
    NULL AS version,
    (
        SELECT
            string_agg(
                quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                || coalesce(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                || coalesce(' OPTIONS (' || array_to_string(a.attfdwoptions, ', ') || ')', ''),
                ', ' ORDER BY a.attnum
            )
        FROM pg_catalog.pg_attribute AS a
        LEFT JOIN pg_catalog.pg_attrdef AS ad ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    ) AS columns,
    (
        SELECT o.shown FROM options AS o
        WHERE o.catalog = 't' AND o.holder = c.oid
    ) AS options,
    obj_description(c.oid, 'pg_class') AS comment,
    pg_get_userbyid(c.relowner) AS owner,
    array_to_string(c.relacl, ', ') AS acl
FROM pg_catalog.pg_foreign_table AS t
INNER JOIN pg_catalog.pg_class AS c ON t.ftrelid = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
INNER JOIN pg_catalog.pg_foreign_server AS s ON t.ftserver = s.oid
WHERE NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend AS d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
);
