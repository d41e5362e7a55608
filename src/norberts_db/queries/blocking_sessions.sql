-- The sessions blocking session %(pid)s, and what it waits for, to name them when
-- a lock or statement timeout ends its wait. Run on a separate connection while
-- it still waits: once the timeout fires, pg_blocking_pids() has nothing to say.
SELECT
    a.pid,
    coalesce(a.application_name, '') AS application_name,
    coalesce(a.usename::text, '') AS user_name,
    coalesce(a.state, '') AS state,
    a.query_start,
    left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 200) AS query,
    (
        SELECT
            CASE
                WHEN w.locktype = 'relation' THEN 'table ' || w.relation::regclass::text
                WHEN w.locktype = 'advisory' THEN 'an advisory lock'
                ELSE 'a lock on a ' || w.locktype
            END
        FROM pg_catalog.pg_locks AS w
        WHERE w.pid = %(pid)s AND NOT w.granted
        -- A backend waits for one lock at a time.
        LIMIT 1 -- noqa: AM09
    ) AS waiting_for
FROM unnest(pg_catalog.pg_blocking_pids(%(pid)s)) AS b (pid)
INNER JOIN pg_catalog.pg_stat_activity AS a ON b.pid = a.pid
ORDER BY a.pid;
