SELECT to_regclass('norberts_db.migration_history') IS NOT NULL;
