-- Whether this session may copy %(name)s with CREATE DATABASE ... TEMPLATE,
-- how many other sessions are connected to it (any one makes the copy fail),
-- and the server's major. Autovacuum workers do not count: CREATE DATABASE
-- ends them itself.
SELECT
    (
        SELECT
            r.rolsuper
            OR (
                r.rolcreatedb
                AND (
                    d.datistemplate
                    OR pg_catalog.pg_has_role(d.datdba, 'USAGE')
                )
            )
        FROM pg_catalog.pg_roles AS r
        WHERE r.rolname = CURRENT_USER
    ) AS may_clone,
    (
        SELECT COUNT(*)
        FROM pg_catalog.pg_stat_activity AS a
        WHERE
            a.datname = d.datname
            AND a.pid <> pg_catalog.pg_backend_pid()
            AND a.backend_type <> 'autovacuum worker'
    ) AS other_sessions,
    pg_catalog.current_setting('server_version_num')::int / 10000 AS major
FROM pg_catalog.pg_database AS d
WHERE d.datname = %(name)s;
