-- Every database of the server.
SELECT d.datname FROM pg_catalog.pg_database AS d
ORDER BY d.datname;
