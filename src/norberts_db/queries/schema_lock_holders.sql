-- The sessions holding the schema lock (schema_lock.sql) of the current database,
-- in the columns of blocking_sessions.sql. The keys are 'NBDB' and 'SCHM'; a lock
-- taken with two int4 keys shows them as classid and objid, with objsubid 2.
SELECT
    a.pid,
    coalesce(a.application_name, '') AS application_name,
    coalesce(a.usename::text, '') AS user_name,
    coalesce(a.state, '') AS state,
    a.query_start,
    left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 200) AS query,
    'the schema lock' AS waiting_for
FROM pg_catalog.pg_locks AS l
INNER JOIN pg_catalog.pg_stat_activity AS a ON l.pid = a.pid
WHERE
    l.locktype = 'advisory'
    AND l.granted
    AND l.database
    = (
        SELECT d.oid FROM pg_catalog.pg_database AS d
        WHERE d.datname = current_database()
    )
    AND l.classid = 1312965698
    AND l.objid = 1396918349
    AND l.objsubid = 2
ORDER BY a.pid;
