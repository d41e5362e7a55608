-- Indexes of tables and materialized views, named schema.table.index.
-- Indexes that implement a primary key, unique or exclusion constraint are
-- left out: the constraint reports them, and dropping the constraint drops
-- the index. pg_get_indexdef carries the method, uniqueness, columns or
-- expressions, operator classes, INCLUDE columns and partial predicate;
-- partition_of names the index of the parent table it is attached to.
SELECT
    'index' AS kind,
    quote_ident(n.nspname)
    || '.'
    || quote_ident(c.relname)
    || '.'
    || quote_ident(ic.relname) AS name,
    pg_get_indexdef(i.indexrelid) AS definition,
    CASE WHEN NOT i.indisvalid THEN 'invalid (a failed CREATE INDEX CONCURRENTLY)' END AS validity,
    (
        SELECT
            quote_ident(pn.nspname)
            || '.'
            || quote_ident(pt.relname)
            || '.'
            || quote_ident(pi.relname)
        FROM pg_catalog.pg_inherits AS h
        INNER JOIN pg_catalog.pg_class AS pi ON h.inhparent = pi.oid
        INNER JOIN pg_catalog.pg_index AS px ON pi.oid = px.indexrelid
        INNER JOIN pg_catalog.pg_class AS pt ON px.indrelid = pt.oid
        INNER JOIN pg_catalog.pg_namespace AS pn ON pt.relnamespace = pn.oid
        WHERE h.inhrelid = i.indexrelid
    ) AS partition_of,
    descr.description AS comment
FROM pg_catalog.pg_index AS i
INNER JOIN pg_catalog.pg_class AS ic ON i.indexrelid = ic.oid
INNER JOIN pg_catalog.pg_class AS c ON i.indrelid = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
LEFT JOIN pg_catalog.pg_description AS descr
    ON
        ic.oid = descr.objoid
        AND descr.classoid = 'pg_catalog.pg_class'::regclass
        AND descr.objsubid = 0
WHERE
    c.relkind IN ('r', 'p', 'm')
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_constraint AS co
        WHERE
            co.conindid = i.indexrelid
            AND co.conrelid = i.indrelid
            AND co.contype IN ('p', 'u', 'x')
    )
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    );
