-- Serializes every schema change (reset, create, drop, migrate) on one database.
-- A transaction-scoped advisory lock: released on commit, on rollback, and when
-- the session dies, so a killed reset can never leave it held.
-- The two keys are the bytes of 'NBDB' and 'SCHM'.
SELECT pg_advisory_xact_lock(1312965698, 1396918349);
