-- The relation locks this session holds, by relation OID and mode
-- (migration.prove). Read inside the statement's transaction, before it ends
-- and releases them.
SELECT
    l.relation::bigint AS oid,
    l.mode
FROM pg_catalog.pg_locks AS l
WHERE
    l.pid = pg_catalog.pg_backend_pid()
    AND l.locktype = 'relation'
    AND l.granted
    AND l.database = (
        SELECT d.oid FROM pg_catalog.pg_database AS d
        WHERE d.datname = pg_catalog.current_database()
    );
