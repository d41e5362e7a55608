-- Tables (plain and partitioned) and what belongs to the table as a whole:
-- persistence, partitioning, inheritance, the composite type of a typed
-- table (CREATE TABLE ... OF type), storage options, the index CLUSTER uses, row-level
-- security, and the access method when it is not heap, the default. Columns,
-- constraints, indexes, triggers, policies and rules are read by their own
-- queries.
SELECT
    'table' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
    CASE WHEN c.relpersistence = 'u' THEN 'unlogged' END AS persistence,
    pg_get_partkeydef(c.oid) AS partition_key,
    (
        SELECT p.oid::regclass::text || ' ' || pg_get_expr(c.relpartbound, c.oid)
        FROM pg_catalog.pg_inherits AS i
        INNER JOIN pg_catalog.pg_class AS p ON i.inhparent = p.oid
        WHERE i.inhrelid = c.oid AND c.relispartition
    ) AS partition_of,
    (
        SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
        FROM pg_catalog.pg_inherits AS i
        WHERE i.inhrelid = c.oid AND NOT c.relispartition
    ) AS inherits,
    CASE WHEN c.reloftype <> 0 THEN c.reloftype::regtype::text END AS of_type,
    array_to_string(c.reloptions, ', ') AS storage_options,
    (
        SELECT quote_ident(am.amname)
        FROM pg_catalog.pg_am AS am
        WHERE am.oid = c.relam AND am.amname <> 'heap'
    ) AS access_method,
    CASE c.relreplident
        WHEN 'n' THEN 'nothing'
        WHEN 'f' THEN 'full'
        WHEN 'i' THEN 'using index ' || (
            SELECT quote_ident(ri.relname)
            FROM pg_catalog.pg_index AS x
            INNER JOIN pg_catalog.pg_class AS ri ON x.indexrelid = ri.oid
            WHERE x.indrelid = c.oid AND x.indisreplident
        )
    END AS replica_identity,
    (
        SELECT quote_ident(ci.relname)
        FROM pg_catalog.pg_index AS x
        INNER JOIN pg_catalog.pg_class AS ci ON x.indexrelid = ci.oid
        WHERE x.indrelid = c.oid AND x.indisclustered
    ) AS clustered_on,
    CASE WHEN c.relrowsecurity THEN 'enabled' ELSE 'disabled' END AS row_level_security,
    CASE WHEN c.relforcerowsecurity THEN 'forced' ELSE 'not forced' END AS force_row_level_security,
    descr.description AS comment,
    pg_get_userbyid(c.relowner) AS owner,
    (
        SELECT string_agg(a.item::text, ', ' ORDER BY a.item::text)
        FROM unnest(coalesce(c.relacl, acldefault('r', c.relowner))) AS a (item)
    ) AS acl
FROM pg_catalog.pg_class AS c
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
LEFT JOIN pg_catalog.pg_description AS descr
    ON
        c.oid = descr.objoid
        AND descr.classoid = 'pg_catalog.pg_class'::regclass
        AND descr.objsubid = 0
WHERE
    c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    );
