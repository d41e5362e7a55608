-- What this database holds that the snapshot cannot compare, one row each:
-- the name says what and why. Verify reports these instead of claiming a
-- match. An unreadable row names a query the snapshot must not run.
SELECT
    'unreadable' AS kind,
    'subscriptions' AS name
WHERE NOT has_column_privilege('pg_catalog.pg_subscription', 'subconninfo', 'SELECT')
UNION ALL
SELECT
    'not compared' AS kind,
    count(*) || ' subscription(s): reading them (pg_subscription.subconninfo) needs a superuser'
        AS name
FROM pg_catalog.pg_subscription AS s
INNER JOIN pg_catalog.pg_database AS d ON s.subdbid = d.oid
WHERE
    d.datname = current_database()
    AND NOT has_column_privilege('pg_catalog.pg_subscription', 'subconninfo', 'SELECT')
HAVING count(*) > 0
UNION ALL
SELECT
    'not compared' AS kind,
    'options of ' || count(*) || ' user mapping(s): this user may not read them' AS name
FROM pg_catalog.pg_user_mappings AS m
INNER JOIN pg_catalog.pg_foreign_server AS s ON m.srvid = s.oid
WHERE
    m.umoptions IS NULL
    AND NOT (
        SELECT r.rolsuper FROM pg_catalog.pg_roles AS r
        WHERE r.rolname = current_user
    )
    AND NOT pg_has_role(s.srvowner, 'USAGE')
    AND (m.umuser = 0 OR m.usename <> current_user)
HAVING count(*) > 0
UNION ALL
SELECT
    'not compared' AS kind,
    count(*) || ' security label(s) (SECURITY LABEL): not read' AS name
FROM pg_catalog.pg_seclabel
HAVING count(*) > 0
UNION ALL
SELECT
    'not compared' AS kind,
    count(*) || ' large object(s): not read' AS name
FROM pg_catalog.pg_largeobject_metadata
HAVING count(*) > 0;
