-- The database was just rebuilt from the schema file: what was recorded no longer holds.
DELETE FROM norberts_db.migration_progress;
DELETE FROM norberts_db.migration_history;
