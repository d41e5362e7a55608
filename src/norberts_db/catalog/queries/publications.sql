-- Publications (logical replication) belong to the database. What one
-- publishes: all tables, or its tables (with their column lists and row
-- filters) and schemas, and which changes. pubgencols came with PostgreSQL 18,
-- so it is read through the row as JSON, which every major can run.
SELECT
    'publication' AS kind,
    quote_ident(p.pubname) AS name,
    CASE WHEN p.puballtables THEN 'FOR ALL TABLES' END AS all_tables,
    (
        SELECT
            string_agg(
                r.prrelid::regclass::text
                || coalesce(' (' || (
                    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
                    FROM unnest(r.prattrs) WITH ORDINALITY AS k (attnum, ord)
                    INNER JOIN pg_catalog.pg_attribute AS a
                        ON a.attrelid = r.prrelid AND k.attnum = a.attnum
                ) || ')', '')
                || coalesce(' WHERE (' || pg_get_expr(r.prqual, r.prrelid) || ')', ''),
                ', ' ORDER BY r.prrelid::regclass::text
            )
        FROM pg_catalog.pg_publication_rel AS r
        WHERE r.prpubid = p.oid
    ) AS tables,
    (
        SELECT string_agg(quote_ident(n.nspname), ', ' ORDER BY n.nspname)
        FROM pg_catalog.pg_publication_namespace AS pn
        INNER JOIN pg_catalog.pg_namespace AS n ON pn.pnnspid = n.oid
        WHERE pn.pnpubid = p.oid
    ) AS schemas,
    concat_ws(
        ', ',
        CASE WHEN p.pubinsert THEN 'insert' END,
        CASE WHEN p.pubupdate THEN 'update' END,
        CASE WHEN p.pubdelete THEN 'delete' END,
        CASE WHEN p.pubtruncate THEN 'truncate' END
    ) AS publish,
    CASE WHEN p.pubviaroot THEN 'via partition root' END AS publish_via_partition_root,
    CASE to_jsonb(p) ->> 'pubgencols'
        WHEN 's' THEN 'stored'
        WHEN 't' THEN 'stored'
        WHEN 'true' THEN 'stored'
    END AS publish_generated_columns,
    obj_description(p.oid, 'pg_publication') AS comment,
    pg_get_userbyid(p.pubowner) AS owner
FROM pg_catalog.pg_publication AS p
WHERE NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend AS d
    WHERE d.classid = 'pg_catalog.pg_publication'::regclass AND d.objid = p.oid AND d.deptype = 'e'
);
