-- Table columns in pieces, for writing DDL: the catalog snapshot renders a
-- column as one line of text, which is right for comparing and wrong for
-- generating ALTER TABLE statements. Named exactly as in the snapshot.
SELECT
    quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname)
        AS name,
    quote_ident(a.attname) AS column_name,
    a.attnum AS position,
    a.attislocal AS is_local,
    format_type(a.atttypid, a.atttypmod) AS type,
    CASE
        WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text
    END AS collation,
    a.attnotnull AS not_null,
    -- The type's own storage, which SET STORAGE restores (15 has no SET STORAGE DEFAULT).
    CASE t.typstorage
        WHEN 'p' THEN 'PLAIN'
        WHEN 'e' THEN 'EXTERNAL'
        WHEN 'm' THEN 'MAIN'
        WHEN 'x' THEN 'EXTENDED'
    END AS type_storage,
    -- A plain default cannot name a column: deparsed without opening its table.
    CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) END AS "default",
    CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated,
    CASE a.attgenerated WHEN 's' THEN 'STORED' WHEN 'v' THEN 'VIRTUAL' END AS generated_kind,
    CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END AS identity,
    -- Looked up only for an identity column, not once for every column.
    CASE WHEN a.attidentity <> '' THEN (
        SELECT
            'AS ' || format_type(s.seqtypid, NULL)
            || ' START WITH ' || s.seqstart
            || ' INCREMENT BY ' || s.seqincrement
            || ' MINVALUE ' || s.seqmin
            || ' MAXVALUE ' || s.seqmax
            || ' CACHE ' || s.seqcache
            || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END
        FROM pg_catalog.pg_sequence AS s
        WHERE s.seqrelid = (
            SELECT d.objid FROM pg_catalog.pg_depend AS d
            WHERE
                d.classid = 'pg_catalog.pg_class'::regclass
                AND d.refclassid = 'pg_catalog.pg_class'::regclass
                AND d.refobjid = c.oid
                AND d.refobjsubid = a.attnum
                AND d.deptype = 'i'
        )
    ) END AS identity_options
FROM pg_catalog.pg_attribute AS a
INNER JOIN pg_catalog.pg_class AS c ON a.attrelid = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
INNER JOIN pg_catalog.pg_type AS t ON a.atttypid = t.oid
LEFT JOIN pg_catalog.pg_attrdef AS ad ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
WHERE
    c.relkind IN ('r', 'p')
    AND a.attnum > 0
    AND NOT a.attisdropped
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'norberts_db')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%';
