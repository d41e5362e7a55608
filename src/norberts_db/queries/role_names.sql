-- The roles on the server, which every database of it shares (norberts_db.shadow).
SELECT r.rolname
FROM pg_catalog.pg_roles AS r;
