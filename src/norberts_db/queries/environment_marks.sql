-- Every norberts.environment setting in the catalog that PostgreSQL would apply
-- to some session in a database: for each database, or for %(dbname)s alone.
-- Read from the catalog, so no client option (-c, PGOPTIONS) can mask it.
--
-- Setting names are case-insensitive ("Norberts.Environment" is the same
-- setting), and one setconfig array can hold several spellings at once, so the
-- name is compared in lower case and every entry is returned.
--
-- The levels a session applies at login (pg_db_role_setting):
--   role in database  setdatabase = db, setrole = r   ALTER ROLE r IN DATABASE db SET
--   role              setdatabase = 0,  setrole = r   ALTER ROLE r SET
--   database          setdatabase = db, setrole = 0   ALTER DATABASE db SET
--   all roles         setdatabase = 0,  setrole = 0   ALTER ROLE ALL SET
-- A role's setting counts whichever role the toolkit itself logs in as: the
-- mark says what the application sees, and it may log in as another role. A
-- setting naming the database always counts; a role's setting for every
-- database counts where that role can open a session (LOGIN and CONNECT).
SELECT
    d.datname AS database,
    CASE
        WHEN s.setrole = 0 AND s.setdatabase = 0 THEN 'all roles'
        WHEN s.setrole = 0 THEN 'database'
        WHEN s.setdatabase = 0 THEN 'role'
        ELSE 'role in database'
    END AS level,
    r.rolname AS role,
    split_part(cfg.setting, '=', 1) AS name,
    substr(cfg.setting, strpos(cfg.setting, '=') + 1) AS value
FROM pg_catalog.pg_database AS d
INNER JOIN pg_catalog.pg_db_role_setting AS s ON s.setdatabase IN (0, d.oid)
LEFT JOIN pg_catalog.pg_roles AS r ON s.setrole = r.oid
CROSS JOIN LATERAL unnest(s.setconfig) AS cfg (setting)
WHERE
    (%(dbname)s::text IS NULL OR d.datname = %(dbname)s::text)
    AND lower(split_part(cfg.setting, '=', 1)) = 'norberts.environment'
    AND (
        s.setdatabase = d.oid
        OR s.setrole = 0
        OR (r.rolcanlogin AND has_database_privilege(r.oid, d.oid, 'CONNECT'))
    )
ORDER BY database, level, role, name, value;
