-- Extensions, with their version and the schema they live in. The objects an
-- extension creates are left out of every other query: they are the
-- extension's, not the schema file's.
SELECT
    'extension' AS kind,
    quote_ident(e.extname) AS name,
    e.extversion AS version,
    quote_ident(n.nspname) AS schema,
    obj_description(e.oid, 'pg_extension') AS comment,
    pg_get_userbyid(e.extowner) AS owner
FROM pg_catalog.pg_extension AS e
INNER JOIN pg_catalog.pg_namespace AS n ON e.extnamespace = n.oid;
