-- Triggers (not the internal ones that implement foreign keys), named
-- schema.table.trigger. pg_get_triggerdef carries timing, events, level,
-- WHEN condition, function and arguments; whether the trigger fires is
-- tgenabled, which ALTER TABLE ... DISABLE TRIGGER changes; inherited_from, the
-- parent's trigger a partition's was cloned from.
SELECT
    'trigger' AS kind,
    quote_ident(n.nspname)
    || '.'
    || quote_ident(c.relname)
    || '.'
    || quote_ident(tg.tgname) AS name,
    pg_get_triggerdef(tg.oid) AS definition,
    CASE tg.tgenabled
        WHEN 'O' THEN 'enabled'
        WHEN 'D' THEN 'disabled'
        WHEN 'R' THEN 'enabled on replica only'
        WHEN 'A' THEN 'enabled always'
    END AS enabled,
    (
        SELECT
            quote_ident(pn.nspname)
            || '.'
            || quote_ident(pc.relname)
            || '.'
            || quote_ident(ptg.tgname)
        FROM pg_catalog.pg_trigger AS ptg
        INNER JOIN pg_catalog.pg_class AS pc ON ptg.tgrelid = pc.oid
        INNER JOIN pg_catalog.pg_namespace AS pn ON pc.relnamespace = pn.oid
        WHERE ptg.oid = tg.tgparentid
    ) AS inherited_from,
    descr.description AS comment
FROM pg_catalog.pg_trigger AS tg
INNER JOIN pg_catalog.pg_class AS c ON tg.tgrelid = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
LEFT JOIN pg_catalog.pg_description AS descr
    ON
        tg.oid = descr.objoid
        AND descr.classoid = 'pg_catalog.pg_trigger'::regclass
        AND descr.objsubid = 0
WHERE
    NOT tg.tgisinternal
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    );
