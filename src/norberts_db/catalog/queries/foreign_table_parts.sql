-- What a foreign table holds beyond foreign_data.sql: its CHECK constraints
-- (as ALTER FOREIGN TABLE ... ADD writes them, NOT VALID included) and the
-- comments on its columns, as JSON keyed by column name. Both are attributes
-- of the foreign table, merged with the ones foreign_data.sql reads.
SELECT
    'foreign table' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
    (
        SELECT
            string_agg(
                'CONSTRAINT ' || quote_ident(co.conname) || ' ' || pg_get_constraintdef(co.oid),
                ', ' ORDER BY co.conname
            )
        FROM pg_catalog.pg_constraint AS co
        WHERE co.conrelid = c.oid AND co.contype = 'c'
    ) AS checks,
    (
        SELECT jsonb_object_agg(a.attname, dsc.description)::text
        FROM pg_catalog.pg_attribute AS a
        INNER JOIN pg_catalog.pg_description AS dsc
            ON
                dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_class'::regclass
                AND a.attnum = dsc.objsubid
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    ) AS column_comments
FROM pg_catalog.pg_foreign_table AS t
INNER JOIN pg_catalog.pg_class AS c ON t.ftrelid = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
WHERE NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend AS d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
);
