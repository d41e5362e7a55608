-- Foreign-data wrappers, servers, user mappings and foreign tables with their
-- options as [name, value] pairs, and a foreign table's columns, as DDL needs
-- them to write OPTIONS (ADD | SET | DROP ...), and its CHECK constraints. Named
-- and kinded as in the snapshot. Secret values are read here only to be written into a migration
-- when the schema file itself holds them.
SELECT
    'foreign data wrapper' AS kind,
    quote_ident(w.fdwname) AS name,
    (
        SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value))
        FROM pg_options_to_table(w.fdwoptions) AS o
    ) AS options,
    NULL::jsonb AS columns,
    NULL::jsonb AS checks
FROM pg_catalog.pg_foreign_data_wrapper AS w
UNION ALL
SELECT
    'server',
    quote_ident(s.srvname),
    (
        SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value))
        FROM pg_options_to_table(s.srvoptions) AS o
    ),
    NULL,
    NULL
FROM pg_catalog.pg_foreign_server AS s
UNION ALL
SELECT
    'user mapping',
    'FOR ' || CASE WHEN m.umuser = 0 THEN 'PUBLIC' ELSE quote_ident(m.usename) END
    || ' SERVER ' || quote_ident(m.srvname),
    (
        SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value))
        FROM pg_options_to_table(m.umoptions) AS o
    ),
    NULL,
    NULL
FROM pg_catalog.pg_user_mappings AS m
UNION ALL
SELECT
    'foreign table',
    quote_ident(n.nspname) || '.' || quote_ident(c.relname),
    (
        SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value))
        FROM pg_options_to_table(t.ftoptions) AS o
    ),
    (
        SELECT
            jsonb_agg(
                jsonb_build_object(
                    'name', quote_ident(a.attname),
                    'type', format_type(a.atttypid, a.atttypmod),
                    'not_null', a.attnotnull,
                    'default', pg_get_expr(ad.adbin, ad.adrelid),
                    'collation', CASE
                        WHEN a.attcollation <> t2.typcollation
                            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                    END,
                    'options', (
                        SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value))
                        FROM pg_options_to_table(a.attfdwoptions) AS o
                    )
                )
                ORDER BY a.attnum
            )
        FROM pg_catalog.pg_attribute AS a
        INNER JOIN pg_catalog.pg_type AS t2 ON a.atttypid = t2.oid
        LEFT JOIN pg_catalog.pg_attrdef AS ad ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
        LEFT JOIN pg_catalog.pg_collation AS co ON a.attcollation = co.oid
        LEFT JOIN pg_catalog.pg_namespace AS cn ON co.collnamespace = cn.oid
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    ),
    (
        SELECT
            jsonb_agg(
                jsonb_build_array(quote_ident(co.conname), pg_get_constraintdef(co.oid))
                ORDER BY co.conname
            )
        FROM pg_catalog.pg_constraint AS co
        WHERE co.conrelid = c.oid AND co.contype = 'c'
    )
FROM pg_catalog.pg_foreign_table AS t
INNER JOIN pg_catalog.pg_class AS c ON t.ftrelid = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid;
