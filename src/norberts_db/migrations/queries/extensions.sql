-- Whether each extension can move to another schema (ALTER EXTENSION ...
-- SET SCHEMA needs a relocatable one). Named as in the snapshot.
SELECT
    quote_ident(e.extname) AS name,
    e.extrelocatable AS relocatable
FROM pg_catalog.pg_extension AS e;
