-- Default privileges (ALTER DEFAULT PRIVILEGES): grants, so they are compared
-- only when owners and grants are. One entry per role, schema (or all
-- schemas) and kind of object, named as the statement names them.
SELECT
    'default privileges' AS kind,
    'FOR ROLE ' || quote_ident(pg_get_userbyid(a.defaclrole))
    || coalesce(' IN SCHEMA ' || quote_ident(n.nspname), '')
    || ' ON ' || CASE a.defaclobjtype
        WHEN 'r' THEN 'TABLES'
        WHEN 'S' THEN 'SEQUENCES'
        WHEN 'f' THEN 'FUNCTIONS'
        WHEN 'T' THEN 'TYPES'
        WHEN 'n' THEN 'SCHEMAS'
        WHEN 'L' THEN 'LARGE OBJECTS'
        ELSE a.defaclobjtype::text
    END AS name,
    (
        SELECT string_agg(item::text, ', ' ORDER BY item::text)
        FROM unnest(a.defaclacl) AS item
    ) AS acl
FROM pg_catalog.pg_default_acl AS a
LEFT JOIN pg_catalog.pg_namespace AS n ON a.defaclnamespace = n.oid;
