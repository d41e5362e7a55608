-- Whether every role named exists, as this transaction sees the server now.
SELECT count(*) = cardinality(%(names)s::text[])
FROM pg_catalog.pg_roles AS r
WHERE r.rolname = any(%(names)s::text[]);
