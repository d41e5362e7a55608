-- Whether this session may copy %(name)s with CREATE DATABASE ... TEMPLATE, how many
-- other sessions are connected to it (any one makes the copy fail), and the major.
-- Autovacuum workers do not count: CREATE DATABASE ends them itself.
SELECT
    coalesce(r.rolsuper, false)
    OR (
        coalesce(r.rolcreatedb, false)
        AND (d.datistemplate OR pg_catalog.pg_has_role(d.datdba, 'USAGE'))
    ) AS may_clone,
    (
        SELECT count(*)
        FROM pg_catalog.pg_stat_activity AS a
        WHERE
            a.datname = d.datname
            AND a.pid <> pg_catalog.pg_backend_pid()
            AND a.backend_type <> 'autovacuum worker'
    ) AS others,
    pg_catalog.current_setting('server_version_num')::int / 10000 AS major
FROM pg_catalog.pg_database AS d
LEFT JOIN pg_catalog.pg_roles AS r ON r.rolname = current_user
WHERE d.datname = %(name)s;
