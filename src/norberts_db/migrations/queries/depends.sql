-- Which object needs which, from pg_depend, with both ends named as in the
-- catalog snapshot (kind and quoted name), so a plan can order its steps:
-- create what is needed first, drop what needs it first.
--
-- Parts are mapped to the object a snapshot names: a column default to its
-- column, a view's _RETURN rule and its columns to the view, the index of a
-- primary key, unique or exclusion constraint to the constraint, an array
-- type to its element type, a table's row type to the table, and any member
-- of an extension to the extension. A sequence OWNED BY a column is left
-- out: that link is set after both exist. Objects of the system schemas are
-- left out as each is read, so the thousands of them are never named.
--
-- System schemas, and the schema of the migration history.
WITH hidden AS (
    SELECT n.oid FROM pg_catalog.pg_namespace AS n
    WHERE
        n.nspname IN ('pg_catalog', 'information_schema', 'norberts_db')
        OR n.nspname LIKE 'pg\_toast%'
        OR n.nspname LIKE 'pg\_temp\_%'
),

members AS (
    SELECT
        d.classid,
        d.objid,
        quote_ident(e.extname) AS extname
    FROM pg_catalog.pg_depend AS d
    INNER JOIN pg_catalog.pg_extension AS e ON d.refobjid = e.oid
    WHERE d.deptype = 'e' AND d.refclassid = 'pg_catalog.pg_extension'::regclass
),

relations AS (
    SELECT
        c.oid,
        c.relnamespace AS nsp,
        c.relkind,
        quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
        CASE c.relkind
            WHEN 'r' THEN 'table'
            WHEN 'p' THEN 'table'
            WHEN 'v' THEN 'view'
            WHEN 'm' THEN 'materialized view'
            WHEN 'S' THEN 'sequence'
            WHEN 'c' THEN 'composite type'
        END AS kind
    FROM pg_catalog.pg_class AS c
    INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
    WHERE
        c.relkind IN ('r', 'p', 'v', 'm', 'S', 'c')
        AND c.relnamespace NOT IN (SELECT h.oid FROM hidden AS h)
),

types AS (
    SELECT
        t.oid,
        t.typnamespace AS nsp,
        coalesce(
            r.kind,
            CASE t.typtype
                WHEN 'e' THEN 'enum'
                WHEN 'r' THEN 'range type'
                WHEN 'd' THEN 'domain'
            END
        ) AS kind,
        coalesce(r.name, quote_ident(n.nspname) || '.' || quote_ident(t.typname)) AS name
    FROM pg_catalog.pg_type AS t
    INNER JOIN pg_catalog.pg_namespace AS n ON t.typnamespace = n.oid
    LEFT JOIN relations AS r ON t.typrelid = r.oid
    WHERE
        (t.typtype IN ('e', 'r', 'd') OR r.oid IS NOT NULL)
        AND t.typnamespace NOT IN (SELECT h.oid FROM hidden AS h)
),

objects AS (
    SELECT
        'pg_catalog.pg_class'::regclass AS classid,
        r.oid AS objid,
        0 AS objsubid,
        r.nsp,
        r.kind,
        r.name
    FROM relations AS r
    UNION ALL
    SELECT
        'pg_catalog.pg_class'::regclass,
        r.oid,
        a.attnum,
        r.nsp,
        CASE WHEN r.relkind IN ('r', 'p') THEN 'column' ELSE r.kind END,
        CASE
            WHEN r.relkind IN ('r', 'p') THEN r.name || '.' || quote_ident(a.attname) ELSE r.name
        END
    FROM relations AS r
    INNER JOIN pg_catalog.pg_attribute AS a ON r.oid = a.attrelid
    WHERE a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p', 'v', 'm', 'c')
    UNION ALL
    SELECT
        'pg_catalog.pg_attrdef'::regclass,
        ad.oid,
        0,
        r.nsp,
        'column',
        r.name || '.' || quote_ident(a.attname)
    FROM pg_catalog.pg_attrdef AS ad
    INNER JOIN relations AS r ON ad.adrelid = r.oid
    INNER JOIN pg_catalog.pg_attribute AS a ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    UNION ALL
    SELECT
        'pg_catalog.pg_class'::regclass,
        i.indexrelid,
        0,
        r.nsp,
        CASE WHEN co.oid IS NULL THEN 'index' ELSE 'constraint' END,
        r.name || '.' || quote_ident(coalesce(co.conname, ic.relname))
    FROM pg_catalog.pg_index AS i
    INNER JOIN pg_catalog.pg_class AS ic ON i.indexrelid = ic.oid
    INNER JOIN relations AS r ON i.indrelid = r.oid
    LEFT JOIN pg_catalog.pg_constraint AS co
        ON i.indexrelid = co.conindid AND i.indrelid = co.conrelid AND co.contype IN ('p', 'u', 'x')
    UNION ALL
    SELECT
        'pg_catalog.pg_type'::regclass,
        t.oid,
        0,
        t.nsp,
        t.kind,
        t.name
    FROM types AS t
    UNION ALL
    SELECT
        'pg_catalog.pg_type'::regclass,
        arr.oid,
        0,
        t.nsp,
        t.kind,
        t.name
    FROM pg_catalog.pg_type AS arr
    INNER JOIN types AS t ON arr.typelem = t.oid
    WHERE arr.typcategory = 'A'
    UNION ALL
    SELECT
        'pg_catalog.pg_proc'::regclass,
        p.oid,
        0,
        p.pronamespace,
        CASE p.prokind
            WHEN 'p' THEN 'procedure'
            WHEN 'a' THEN 'aggregate'
            WHEN 'w' THEN 'window function'
            ELSE 'function'
        END,
        p.oid::regprocedure::text
    FROM pg_catalog.pg_proc AS p
    WHERE p.pronamespace NOT IN (SELECT h.oid FROM hidden AS h)
    UNION ALL
    SELECT
        'pg_catalog.pg_constraint'::regclass,
        co.oid,
        0,
        co.connamespace,
        'constraint',
        coalesce(r.name, t.name) || '.' || quote_ident(co.conname)
    FROM pg_catalog.pg_constraint AS co
    LEFT JOIN relations AS r ON co.conrelid = r.oid
    LEFT JOIN types AS t ON co.contypid = t.oid
    WHERE
        co.contype NOT IN ('n', 't') AND coalesce(r.name, t.name) IS NOT NULL
        AND co.connamespace NOT IN (SELECT h.oid FROM hidden AS h)
    UNION ALL
    SELECT
        'pg_catalog.pg_trigger'::regclass,
        tg.oid,
        0,
        r.nsp,
        'trigger',
        r.name || '.' || quote_ident(tg.tgname)
    FROM pg_catalog.pg_trigger AS tg
    INNER JOIN relations AS r ON tg.tgrelid = r.oid
    WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT
        'pg_catalog.pg_policy'::regclass,
        pol.oid,
        0,
        r.nsp,
        'policy',
        r.name || '.' || quote_ident(pol.polname)
    FROM pg_catalog.pg_policy AS pol
    INNER JOIN relations AS r ON pol.polrelid = r.oid
    UNION ALL
    SELECT
        'pg_catalog.pg_rewrite'::regclass,
        rw.oid,
        0,
        r.nsp,
        CASE WHEN rw.rulename = '_RETURN' THEN r.kind ELSE 'rule' END,
        CASE
            WHEN rw.rulename = '_RETURN' THEN r.name ELSE r.name || '.' || quote_ident(rw.rulename)
        END
    FROM pg_catalog.pg_rewrite AS rw
    INNER JOIN relations AS r ON rw.ev_class = r.oid
    WHERE r.relkind IN ('r', 'p', 'v', 'm')
    UNION ALL
    SELECT
        'pg_catalog.pg_collation'::regclass,
        co.oid,
        0,
        co.collnamespace,
        'collation',
        quote_ident(n.nspname) || '.' || quote_ident(co.collname)
    FROM pg_catalog.pg_collation AS co
    INNER JOIN pg_catalog.pg_namespace AS n ON co.collnamespace = n.oid
    WHERE co.collnamespace NOT IN (SELECT h.oid FROM hidden AS h)
    UNION ALL
    SELECT
        'pg_catalog.pg_statistic_ext'::regclass,
        s.oid,
        0,
        s.stxnamespace,
        'statistics',
        quote_ident(n.nspname) || '.' || quote_ident(s.stxname)
    FROM pg_catalog.pg_statistic_ext AS s
    INNER JOIN pg_catalog.pg_namespace AS n ON s.stxnamespace = n.oid
    UNION ALL
    SELECT
        'pg_catalog.pg_namespace'::regclass,
        n.oid,
        0,
        n.oid AS nsp,
        'schema',
        quote_ident(n.nspname)
    FROM pg_catalog.pg_namespace AS n
    UNION ALL
    SELECT
        'pg_catalog.pg_extension'::regclass,
        e.oid,
        0,
        e.extnamespace,
        'extension',
        quote_ident(e.extname)
    FROM pg_catalog.pg_extension AS e
    UNION ALL
    SELECT
        'pg_catalog.pg_event_trigger'::regclass,
        et.oid,
        0,
        0,
        'event trigger',
        quote_ident(et.evtname)
    FROM pg_catalog.pg_event_trigger AS et
),

named AS (
    SELECT
        o.classid,
        o.objid,
        o.objsubid,
        o.nsp,
        CASE WHEN m.extname IS NULL THEN o.kind ELSE 'extension' END AS kind,
        coalesce(m.extname, o.name) AS name
    FROM objects AS o
    LEFT JOIN members AS m ON o.classid = m.classid AND o.objid = m.objid
    WHERE o.nsp NOT IN (SELECT h.oid FROM hidden AS h)
)

SELECT DISTINCT
    dep.kind AS dependent_kind,
    dep.name AS dependent_name,
    ref.kind AS referenced_kind,
    ref.name AS referenced_name,
    d.classid = 'pg_catalog.pg_attrdef'::regclass AS through_default
FROM pg_catalog.pg_depend AS d
INNER JOIN
    named AS dep
    ON d.classid = dep.classid AND d.objid = dep.objid AND d.objsubid = dep.objsubid
INNER JOIN named AS ref
    ON d.refclassid = ref.classid AND d.refobjid = ref.objid AND d.refobjsubid = ref.objsubid
WHERE
    d.deptype IN ('n', 'a')
    AND (dep.kind, dep.name) <> (ref.kind, ref.name)
    AND NOT (dep.kind = 'sequence' AND ref.kind = 'column');
