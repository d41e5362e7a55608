-- An index as CREATE INDEX would make it, from USING on: without its own
-- name and its table's, so that two indexes of different names compare.
SELECT
    x.indisunique,
    regexp_replace(pg_catalog.pg_get_indexdef(x.indexrelid), '^.*? USING ', 'USING ') AS definition
FROM pg_catalog.pg_index AS x
WHERE x.indexrelid = %(index)s::regclass;
