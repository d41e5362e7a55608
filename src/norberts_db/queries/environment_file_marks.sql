-- norberts.environment in the server's configuration files (postgresql.conf,
-- ALTER SYSTEM's postgresql.auto.conf): it applies to every database that sets
-- nothing itself. pg_file_settings is readable only with the privilege that
-- environment_files_readable.sql checks; the caller asks that first.
SELECT
    f.sourcefile AS file,
    f.sourceline AS line,
    f.name,
    f.setting AS value
FROM pg_catalog.pg_file_settings AS f
WHERE lower(f.name) = 'norberts.environment' AND f.applied
ORDER BY f.seqno;
