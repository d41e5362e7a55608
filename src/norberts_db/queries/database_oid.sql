-- The OID of database %(name)s: the end of the comment that proves a temporary
-- database is the toolkit's (temporary.py).
SELECT d.oid FROM pg_catalog.pg_database AS d
WHERE d.datname = %(name)s;
