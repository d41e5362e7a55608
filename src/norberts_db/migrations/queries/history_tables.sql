-- Whether the history and the mark of parts done exist (older histories lack the mark).
SELECT
    to_regclass('norberts_db.migration_history') IS NOT NULL,
    to_regclass('norberts_db.migration_progress') IS NOT NULL;
