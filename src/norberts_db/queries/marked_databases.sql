-- Every database of the server marked with norberts.environment, and its mark.
SELECT
    d.datname AS database,
    substr(cfg.setting, length('norberts.environment=') + 1) AS marker
FROM pg_catalog.pg_db_role_setting AS s
INNER JOIN pg_catalog.pg_database AS d ON s.setdatabase = d.oid
CROSS JOIN LATERAL unnest(s.setconfig) AS cfg (setting)
WHERE
    s.setrole = 0
    AND cfg.setting LIKE 'norberts.environment=%'
ORDER BY d.datname;
