-- Columns of tables and views in catalog order (attnum). The type is given
-- twice: as format_type prints it, and as its parts (the element type of an
-- array, its schema and kind, the raw typmod; for a domain, the same of its
-- base type) for generators that map types.
-- An identity column's sequence options, and whether a default is the
-- nextval() of a sequence the column owns (a serial), come along.
SELECT
    a.attrelid::bigint AS relid,
    a.attnum::int AS attnum,
    a.attname AS name,
    quote_ident(a.attname) AS quoted,
    quote_ident(tn.nspname) || '.' || quote_ident(tc.relname || '_' || a.attname || '_seq')
        AS default_sequence_name,
    format_type(a.atttypid, a.atttypmod) AS type,
    et.typname AS base_type,
    etn.nspname AS base_type_schema,
    et.typtype::text AS base_type_kind,
    (t.typcategory = 'A' AND t.typelem <> 0) AS is_array,
    a.atttypmod::int AS typmod,
    CASE WHEN et.typtype = 'd' THEN format_type(et.typbasetype, et.typtypmod) END AS domain_base,
    bt.typname AS domain_base_type,
    btn.nspname AS domain_base_type_schema,
    bt.typtype::text AS domain_base_type_kind,
    et.typtypmod::int AS domain_base_typmod,
    a.attnotnull AS not_null,
    a.attidentity::text AS identity,
    a.attgenerated::text AS generated,
    pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
    CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END
        AS collation,
    col_description(a.attrelid, a.attnum) AS comment,
    seq.seqname AS sequence_name,
    seq.relname AS sequence_relname,
    seq.deptype AS sequence_dependency,
    seq.seqstart::text AS seq_start,
    seq.seqincrement::text AS seq_increment,
    seq.seqmin::text AS seq_min,
    seq.seqmax::text AS seq_max,
    seq.seqcache::text AS seq_cache,
    seq.seqcycle AS seq_cycle,
    format_type(seq.seqtypid, NULL) AS seq_type
FROM pg_catalog.pg_attribute AS a
INNER JOIN pg_catalog.pg_class AS tc ON a.attrelid = tc.oid
INNER JOIN pg_catalog.pg_namespace AS tn ON tc.relnamespace = tn.oid
INNER JOIN pg_catalog.pg_type AS t ON a.atttypid = t.oid
INNER JOIN pg_catalog.pg_type AS et
    ON et.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
INNER JOIN pg_catalog.pg_namespace AS etn ON et.typnamespace = etn.oid
LEFT JOIN pg_catalog.pg_type AS bt ON et.typtype = 'd' AND et.typbasetype = bt.oid
LEFT JOIN pg_catalog.pg_namespace AS btn ON bt.typnamespace = btn.oid
LEFT JOIN pg_catalog.pg_attrdef AS ad ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
LEFT JOIN LATERAL (
    SELECT
        quote_ident(sn.nspname) || '.' || quote_ident(sc.relname) AS seqname,
        d.deptype::text AS deptype,
        sc.relname,
        s.*
    FROM pg_catalog.pg_depend AS d
    INNER JOIN pg_catalog.pg_sequence AS s ON d.objid = s.seqrelid
    INNER JOIN pg_catalog.pg_class AS sc ON s.seqrelid = sc.oid
    INNER JOIN pg_catalog.pg_namespace AS sn ON sc.relnamespace = sn.oid
    WHERE
        d.classid = 'pg_catalog.pg_class'::regclass
        AND d.refclassid = 'pg_catalog.pg_class'::regclass
        AND d.refobjid = a.attrelid
        AND d.refobjsubid = a.attnum
        AND d.deptype IN ('i', 'a')
    ORDER BY sc.relname
    LIMIT 1
) AS seq ON TRUE
WHERE
    a.attnum > 0
    AND NOT a.attisdropped
    AND a.attrelid = ANY(%(relids)s)
ORDER BY a.attrelid, a.attnum;
