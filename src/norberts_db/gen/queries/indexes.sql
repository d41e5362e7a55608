-- Indexes that no constraint owns, with each key column in order: its
-- column or expression, the operator class when it is not a default one
-- (a default one is what the index gets without naming any), and its DESC /
-- NULLS FIRST options (pg_index.indoption bits 1 and 2). INCLUDE columns, the
-- predicate, the method, storage parameters and pg_get_indexdef come along.
SELECT
    i.indrelid::bigint AS relid,
    ic.relname AS name,
    quote_ident(ic.relname) AS quoted,
    i.indisunique AS is_unique,
    am.amname AS method,
    pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
    i.indnullsnotdistinct AS nulls_not_distinct,
    array_to_string(ic.reloptions, ', ') AS options,
    pg_get_indexdef(i.indexrelid) AS definition,
    obj_description(ic.oid, 'pg_class') AS comment,
    coalesce((
        SELECT
            json_agg(json_build_object(
                'column', CASE WHEN i.indkey[k.n - 1] <> 0 THEN a.attname END,
                'quoted_column', CASE WHEN i.indkey[k.n - 1] <> 0 THEN quote_ident(a.attname) END,
                'expression', pg_get_indexdef(i.indexrelid, k.n::int, true),
                'opclass', CASE
                    WHEN NOT oc.opcdefault
                        THEN quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname)
                END,
                'opclass_name', oc.opcname,
                'desc', (i.indoption[k.n - 1] & 1) = 1,
                'nulls_first', (i.indoption[k.n - 1] & 2) = 2
            ) ORDER BY k.n)
        FROM generate_series(1, i.indnkeyatts) AS k (n)
        INNER JOIN pg_catalog.pg_opclass AS oc ON oc.oid = i.indclass[k.n - 1]
        INNER JOIN pg_catalog.pg_namespace AS ocn ON oc.opcnamespace = ocn.oid
        LEFT JOIN pg_catalog.pg_attribute AS a
            ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1]
    ), '[]'::json)::text AS keys,
    array(
        SELECT a.attname::text
        FROM generate_series(i.indnkeyatts + 1, i.indnatts) AS k (n)
        INNER JOIN pg_catalog.pg_attribute AS a
            ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1]
        ORDER BY k.n
    ) AS include
FROM pg_catalog.pg_index AS i
INNER JOIN pg_catalog.pg_class AS ic ON i.indexrelid = ic.oid
INNER JOIN pg_catalog.pg_am AS am ON ic.relam = am.oid
WHERE
    i.indrelid = ANY(%(relids)s)
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_constraint AS co
        WHERE
            co.conindid = i.indexrelid AND co.conrelid = i.indrelid
            AND co.contype IN ('p', 'u', 'x')
    )
ORDER BY i.indrelid, ic.oid;
