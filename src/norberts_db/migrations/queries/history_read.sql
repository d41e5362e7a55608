-- The applied migrations, oldest first.
SELECT
    h.version,
    h.name,
    h.checksum,
    h.applied_at
FROM norberts_db.migration_history AS h
ORDER BY h.version;
