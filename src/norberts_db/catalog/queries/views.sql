-- Views and materialized views, by their definition as the server prints it.
-- Indexes of materialized views are read with the other indexes. The comments
-- on their columns (COMMENT ON COLUMN view.column) are one JSON object, column
-- name to comment.
SELECT
    CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
    pg_get_viewdef(c.oid) AS definition,
    array_to_string(c.reloptions, ', ') AS options,
    obj_description(c.oid, 'pg_class') AS comment,
    (
        SELECT jsonb_object_agg(a.attname, d.description)::text
        FROM pg_catalog.pg_attribute AS a
        INNER JOIN pg_catalog.pg_description AS d
            ON
                d.classoid = 'pg_catalog.pg_class'::regclass
                AND a.attrelid = d.objoid
                AND a.attnum = d.objsubid
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    ) AS column_comments,
    pg_get_userbyid(c.relowner) AS owner,
    (
        SELECT string_agg(a.item::text, ', ' ORDER BY a.item::text)
        FROM unnest(coalesce(c.relacl, acldefault('r', c.relowner))) AS a (item)
    ) AS acl
FROM pg_catalog.pg_class AS c
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    c.relkind IN ('v', 'm')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    );
