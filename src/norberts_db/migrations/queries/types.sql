-- Enum labels and composite attributes as arrays, and range types in the
-- pieces CREATE TYPE ... AS RANGE takes (function names without arguments).
SELECT
    quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS name,
    (
        SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
        FROM pg_catalog.pg_enum AS e
        WHERE e.enumtypid = t.oid
    ) AS labels,
    (
        SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum)
        FROM pg_catalog.pg_attribute AS a
        WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
    ) AS attribute_names,
    (
        SELECT
            array_agg(
                format_type(a.atttypid, a.atttypmod)
                || CASE
                    WHEN a.attcollation <> at.typcollation
                        THEN ' COLLATE ' || a.attcollation::regcollation::text
                    ELSE ''
                END
                ORDER BY a.attnum
            )
        FROM pg_catalog.pg_attribute AS a
        INNER JOIN pg_catalog.pg_type AS at ON a.atttypid = at.oid
        WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
    ) AS attribute_types,
    format_type(r.rngsubtype, NULL) AS subtype,
    nullif(r.rngcollation, 0)::regcollation::text AS collation,
    (
        SELECT quote_ident(on_.nspname) || '.' || quote_ident(oc.opcname)
        FROM pg_catalog.pg_opclass AS oc
        INNER JOIN pg_catalog.pg_namespace AS on_ ON oc.opcnamespace = on_.oid
        WHERE oc.oid = r.rngsubopc AND NOT oc.opcdefault
    ) AS subtype_opclass,
    nullif(r.rngcanonical, 0)::regproc::text AS canonical,
    nullif(r.rngsubdiff, 0)::regproc::text AS subtype_diff,
    (
        SELECT quote_ident(mn.nspname) || '.' || quote_ident(mt.typname)
        FROM pg_catalog.pg_type AS mt
        INNER JOIN pg_catalog.pg_namespace AS mn ON mt.typnamespace = mn.oid
        WHERE mt.oid = r.rngmultitypid
    ) AS multirange_type
FROM pg_catalog.pg_type AS t
INNER JOIN pg_catalog.pg_namespace AS n ON t.typnamespace = n.oid
LEFT JOIN pg_catalog.pg_class AS c ON t.typrelid = c.oid
LEFT JOIN pg_catalog.pg_range AS r ON t.oid = r.rngtypid
WHERE
    (t.typtype IN ('e', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'norberts_db')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%';
