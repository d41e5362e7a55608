-- The scratch tablespace (norberts_db.scratch) if this user may create databases in it:
-- where it points, and whether its directory is there. pg_tablespace_size is NULL
-- when the directory is missing, as it is after a memory file system was emptied
-- by a restart while the catalog kept the tablespace.
SELECT
    pg_catalog.pg_tablespace_location(t.oid) AS location,
    pg_catalog.pg_tablespace_size(t.oid) IS NOT NULL AS present
FROM pg_catalog.pg_tablespace AS t
WHERE
    t.spcname = %(name)s
    AND pg_catalog.has_tablespace_privilege(t.oid, 'CREATE');
