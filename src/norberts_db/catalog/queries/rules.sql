-- Rewrite rules (CREATE RULE) of tables and views, named schema.table.rule.
-- The _RETURN rule that makes a view a view is the view's definition, read
-- by views.sql, and is left out. pg_get_ruledef carries the event, the
-- condition, INSTEAD or ALSO and the actions; whether the rule fires is
-- ev_enabled, which ALTER TABLE ... DISABLE RULE changes.
SELECT
    'rule' AS kind,
    quote_ident(n.nspname)
    || '.'
    || quote_ident(c.relname)
    || '.'
    || quote_ident(r.rulename) AS name,
    pg_get_ruledef(r.oid) AS definition,
    CASE r.ev_enabled
        WHEN 'O' THEN 'enabled'
        WHEN 'D' THEN 'disabled'
        WHEN 'R' THEN 'enabled on replica only'
        WHEN 'A' THEN 'enabled always'
    END AS enabled,
    obj_description(r.oid, 'pg_rewrite') AS comment
FROM pg_catalog.pg_rewrite AS r
INNER JOIN pg_catalog.pg_class AS c ON r.ev_class = c.oid
INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    r.rulename <> '_RETURN'
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    );
