-- Held for a whole db.migrate run, across the transactions of its migrations.
-- The same keys as the transaction-scoped schema lock that reset, create and
-- drop take (queries/schema_lock.sql), so those wait for a migration run too.
-- Session-scoped: released by migrate_unlock.sql, or when the session ends.
SELECT pg_advisory_lock(1312965698, 1396918349);
