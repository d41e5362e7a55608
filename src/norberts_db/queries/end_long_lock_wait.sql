-- Cancel session %(pid)s if it has waited for a lock longer than %(seconds)s: the
-- toolkit's lock_timeout, which a statement of a file may have lifted for itself
-- (a DO block that sets it and then waits). True if it was cancelled.
SELECT pg_catalog.pg_cancel_backend(w.pid) AS cancelled
FROM pg_catalog.pg_locks AS w
WHERE
    w.pid = %(pid)s
    AND NOT w.granted
    AND w.waitstart < pg_catalog.clock_timestamp() - make_interval(secs => %(seconds)s)
-- A backend waits for one lock at a time.
LIMIT 1; -- noqa: AM09
