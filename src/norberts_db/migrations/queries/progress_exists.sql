SELECT to_regclass('norberts_db.migration_progress') IS NOT NULL;
