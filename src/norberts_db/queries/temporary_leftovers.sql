-- Candidates for the sweep of temporary databases (temporary.py): every database
-- whose name has exactly the shape the toolkit generates (%(pattern)s: a prefix
-- and its random hex suffix), but %(keep)s, the caller's own; and whether it
-- carries the toolkit's proof: %(setting)s set on the database itself to the
-- database's own OID. Claims are taken by the caller, candidate by candidate.
SELECT
    d.datname,
    EXISTS (
        SELECT 1
        FROM pg_catalog.pg_db_role_setting AS s
        CROSS JOIN LATERAL unnest(s.setconfig) AS cfg (setting)
        WHERE
            s.setdatabase = d.oid
            AND s.setrole = 0
            AND cfg.setting = %(setting)s || '=' || d.oid::text
    ) AS proven
FROM pg_catalog.pg_database AS d
WHERE d.datname ~ %(pattern)s AND d.datname <> %(keep)s
ORDER BY d.datname;
