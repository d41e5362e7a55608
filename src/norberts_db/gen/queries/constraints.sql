-- Primary key, unique, foreign key, check and exclusion constraints of
-- tables, with their columns in key order (conkey, confkey), the referenced
-- table and the actions of a foreign key, and the definition as
-- pg_get_constraintdef prints it. NOT NULL constraints are left out (they
-- are the columns' nullability).
SELECT
    co.conrelid::bigint AS relid,
    co.oid::bigint AS oid,
    co.conname AS name,
    quote_ident(co.conname) AS quoted,
    co.contype::text AS type,
    array(
        SELECT a.attname::text
        FROM unnest(co.conkey) WITH ORDINALITY AS k (attnum, position)
        INNER JOIN pg_catalog.pg_attribute AS a
            ON co.conrelid = a.attrelid AND k.attnum = a.attnum
        ORDER BY k.position
    ) AS columns,
    rn.nspname AS ref_schema,
    rc.relname AS ref_table,
    quote_ident(rn.nspname) || '.' || quote_ident(rc.relname) AS ref_qualified,
    array(
        SELECT a.attname::text
        FROM unnest(co.confkey) WITH ORDINALITY AS k (attnum, position)
        INNER JOIN pg_catalog.pg_attribute AS a
            ON co.confrelid = a.attrelid AND k.attnum = a.attnum
        ORDER BY k.position
    ) AS ref_columns,
    nullif(co.confupdtype, ' ')::text AS on_update,
    nullif(co.confdeltype, ' ')::text AS on_delete,
    nullif(co.confmatchtype, ' ')::text AS match_type,
    pg_get_constraintdef(co.oid, true) AS definition,
    co.condeferrable AS "deferrable",
    co.condeferred AS deferred,
    co.convalidated AS validated,
    coalesce(i.indnullsnotdistinct, false) AS nulls_not_distinct,
    obj_description(co.oid, 'pg_constraint') AS comment
FROM pg_catalog.pg_constraint AS co
LEFT JOIN pg_catalog.pg_class AS rc ON co.confrelid = rc.oid
LEFT JOIN pg_catalog.pg_namespace AS rn ON rc.relnamespace = rn.oid
LEFT JOIN pg_catalog.pg_index AS i ON co.conindid = i.indexrelid AND co.contype IN ('p', 'u')
WHERE co.contype IN ('p', 'u', 'f', 'c', 'x') AND co.conrelid = ANY(%(relids)s)
ORDER BY co.conrelid, co.oid;
