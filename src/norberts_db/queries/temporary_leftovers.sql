-- Candidates for the sweep of temporary databases (temporary.py): every database
-- whose name has exactly the shape the toolkit generates (%(pattern)s: a prefix
-- and its random hex suffix), but %(keep)s, the caller's own; and whether it
-- carries the toolkit's proof: the comment %(mark)s followed by the database's
-- own OID. Claims are taken by the caller, candidate by candidate.
SELECT
    d.datname,
    coalesce(
        pg_catalog.shobj_description(d.oid, 'pg_database') = %(mark)s || ' ' || d.oid::text,
        false
    ) AS proven
FROM pg_catalog.pg_database AS d
WHERE d.datname ~ %(pattern)s AND d.datname <> %(keep)s
ORDER BY d.datname;
