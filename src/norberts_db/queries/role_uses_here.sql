-- Whether anything in the current database (owned objects, grants, policies) uses one of
-- the roles named: then dropping them fails because of this database, not of others.
SELECT exists(
    SELECT
    FROM pg_catalog.pg_shdepend AS d
    INNER JOIN pg_catalog.pg_roles AS r ON d.refobjid = r.oid
    INNER JOIN pg_catalog.pg_database AS db ON d.dbid = db.oid
    WHERE
        d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass
        AND r.rolname = any(%(names)s::text[])
        AND db.datname = pg_catalog.current_database()
);
