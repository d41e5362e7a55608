-- Whether this session may read pg_file_settings (superusers, or by a GRANT):
-- asking first keeps a refusal from aborting the caller's transaction.
SELECT has_function_privilege('pg_catalog.pg_show_all_file_settings()', 'EXECUTE');
