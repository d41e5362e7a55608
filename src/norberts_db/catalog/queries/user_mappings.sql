-- User mappings (CREATE USER MAPPING), one per role (or PUBLIC) and server,
-- named as DROP USER MAPPING names them. They hold credentials: the value of
-- an option whose name suggests a secret is shown only as a digest, as for
-- servers, so a changed password is reported without being printed. Read
-- through pg_user_mappings, which hides the options from a user who may not
-- see them (not_compared.sql says so); extensions' servers are left out.
SELECT
    'user mapping' AS kind,
    'FOR ' || CASE WHEN m.umuser = 0 THEN 'PUBLIC' ELSE quote_ident(m.usename) END
    || ' SERVER ' || quote_ident(m.srvname) AS name,
    (
        SELECT
            string_agg(
                CASE
                    WHEN split_part(i.item, '=', 1) ~* '(password|secret|token|key)'
                        THEN
                            split_part(i.item, '=', 1) || '=(hidden, md5 '
                            || left(md5(substr(i.item, strpos(i.item, '=') + 1)), 8) || ')'
                    ELSE i.item
                END,
                ', ' ORDER BY i.ord
            )
        FROM unnest(m.umoptions) WITH ORDINALITY AS i (item, ord)
    ) AS options
FROM pg_catalog.pg_user_mappings AS m
WHERE NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend AS d
    WHERE
        d.classid = 'pg_catalog.pg_foreign_server'::regclass
        AND d.objid = m.srvid
        AND d.deptype = 'e'
);
