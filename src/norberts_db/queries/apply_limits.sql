-- SET LOCAL lock_timeout and statement_timeout for the rest of the transaction
-- (or SET them for the session, when %(local)s is false): set_config(..., true) is
-- SET LOCAL that takes bind parameters.
SELECT
    set_config('lock_timeout', %(lock)s, %(local)s) AS lock_timeout,
    set_config('statement_timeout', %(statement)s, %(local)s) AS statement_timeout;
