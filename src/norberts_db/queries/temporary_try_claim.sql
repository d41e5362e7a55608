-- Take the claim on a leftover temporary database (temporary_claim.sql) if nobody
-- holds it, so that two sweeps never drop one database at once, and a running
-- run's database is never swept. Given back with temporary_release.sql.
SELECT pg_try_advisory_lock(1312969796, hashtext(%(name)s));
