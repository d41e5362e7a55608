-- Temporary databases with a prefix whose run ended without dropping them (a
-- SIGKILL, a lost connection): nobody holds their claim (temporary_claim.sql).
-- Taking the claim here keeps a leftover from being swept twice at once; the
-- sweeper drops it and then gives the claim back (temporary_release.sql).
-- MATERIALIZED: only the candidates are tried, never any other database's name.
WITH candidates AS MATERIALIZED (
    SELECT d.datname
    FROM pg_catalog.pg_database AS d
    WHERE starts_with(d.datname, %(prefix)s) AND d.datname <> %(name)s
)

SELECT c.datname
FROM candidates AS c
WHERE pg_try_advisory_lock(1312969796, hashtext(c.datname));
