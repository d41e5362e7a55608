-- Triggers of tables and views (internal ones, of foreign keys, left out).
SELECT
    tg.tgrelid::bigint AS relid,
    tg.tgname AS name,
    pg_get_triggerdef(tg.oid, true) AS definition,
    obj_description(tg.oid, 'pg_trigger') AS comment
FROM pg_catalog.pg_trigger AS tg
WHERE NOT tg.tgisinternal AND tg.tgrelid = ANY(%(relids)s)
ORDER BY tg.tgrelid, tg.oid;
