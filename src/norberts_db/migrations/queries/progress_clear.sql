DELETE FROM norberts_db.migration_progress AS p
WHERE p.version = %(version)s;
