-- Migrations committed in part, when the table exists (older histories lack it).
SELECT
    p.version,
    p.name,
    p.parts_done,
    p.parts,
    p.done_checksum,
    p.updated_at
FROM norberts_db.migration_progress AS p
ORDER BY p.version;
