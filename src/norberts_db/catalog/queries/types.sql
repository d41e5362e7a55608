-- Enum, composite and range types. Enum labels keep their order: a label added
-- in the middle is drift even when the set of labels is the same.
SELECT
    CASE t.typtype
        WHEN 'e' THEN 'enum'
        WHEN 'c' THEN 'composite type'
        ELSE 'range type'
    END AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS name,
    (
        SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
        FROM pg_catalog.pg_enum AS e
        WHERE e.enumtypid = t.oid
    ) AS labels,
    (
        SELECT
            string_agg(
                quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                || CASE
                    WHEN a.attcollation <> at.typcollation
                        THEN ' COLLATE ' || a.attcollation::regcollation::text
                    ELSE ''
                END,
                ', ' ORDER BY a.attnum
            )
        FROM pg_catalog.pg_attribute AS a
        INNER JOIN pg_catalog.pg_type AS at ON a.atttypid = at.oid
        WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
    ) AS attributes,
    format_type(r.rngsubtype, NULL) AS subtype,
    nullif(r.rngcollation, 0)::regcollation::text AS collation,
    (
        SELECT quote_ident(oc.opcname) FROM pg_catalog.pg_opclass AS oc
        WHERE oc.oid = r.rngsubopc
    ) AS subtype_operator_class,
    nullif(r.rngcanonical, 0)::regprocedure::text AS canonical,
    nullif(r.rngsubdiff, 0)::regprocedure::text AS subtype_diff,
    (
        SELECT quote_ident(mn.nspname) || '.' || quote_ident(mt.typname)
        FROM pg_catalog.pg_type AS mt
        INNER JOIN pg_catalog.pg_namespace AS mn ON mt.typnamespace = mn.oid
        WHERE mt.oid = r.rngmultitypid
    ) AS multirange_type,
    obj_description(t.oid, 'pg_type') AS comment,
    pg_get_userbyid(t.typowner) AS owner,
    (
        SELECT string_agg(a.item::text, ', ' ORDER BY a.item::text)
        FROM unnest(coalesce(t.typacl, acldefault('T', t.typowner))) AS a (item)
    ) AS acl
FROM pg_catalog.pg_type AS t
INNER JOIN pg_catalog.pg_namespace AS n ON t.typnamespace = n.oid
LEFT JOIN pg_catalog.pg_class AS c ON t.typrelid = c.oid
LEFT JOIN pg_catalog.pg_range AS r ON t.oid = r.rngtypid
WHERE
    (t.typtype IN ('e', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
    );
