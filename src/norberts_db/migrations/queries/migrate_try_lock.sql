-- The lock of migrate_lock.sql without waiting: false when another run holds it.
SELECT pg_try_advisory_lock(1312965698, 1396918349);
