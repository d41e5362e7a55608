-- The mark of database %(dbname)s: the value of norberts.environment set by
-- ALTER DATABASE ... SET. Read from the catalog, not with current_setting(), so a
-- client option (-c norberts.environment=...) or a role setting cannot mask it.
-- No row when the database is unmarked.
SELECT substr(cfg.setting, length('norberts.environment=') + 1) AS marker
FROM pg_catalog.pg_db_role_setting AS s
INNER JOIN pg_catalog.pg_database AS d ON s.setdatabase = d.oid
CROSS JOIN LATERAL unnest(s.setconfig) AS cfg (setting)
WHERE
    s.setrole = 0
    AND d.datname = %(dbname)s
    AND cfg.setting LIKE 'norberts.environment=%%';
