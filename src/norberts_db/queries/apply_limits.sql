-- SET LOCAL lock_timeout and statement_timeout for the rest of the transaction:
-- set_config(..., true) is SET LOCAL that takes bind parameters.
SELECT
    set_config('lock_timeout', %(lock)s, true) AS lock_timeout,
    set_config('statement_timeout', %(statement)s, true) AS statement_timeout;
