-- Every object the schema file made that stands on its own: made after
-- initdb (oid >= 16384, FirstNormalObjectId), not a part of another object
-- (no internal or automatic dependency: columns, indexes, constraints,
-- triggers, owned sequences, array and row types go with their owner) and
-- not a member of an extension. Named and typed by pg_identify_object,
-- which calls a domain a type: DROP TYPE would refuse it.
WITH candidates (classid, objid) AS (
    SELECT
        'pg_catalog.pg_namespace'::regclass,
        oid
    FROM pg_catalog.pg_namespace
    WHERE nspname NOT IN ('public', 'norberts_db')
    UNION ALL
    SELECT
        'pg_catalog.pg_extension'::regclass,
        oid
    FROM pg_catalog.pg_extension
    UNION ALL
    SELECT
        'pg_catalog.pg_class'::regclass,
        oid
    FROM pg_catalog.pg_class
    WHERE relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
    UNION ALL
    SELECT
        'pg_catalog.pg_proc'::regclass,
        oid
    FROM pg_catalog.pg_proc
    UNION ALL
    SELECT
        'pg_catalog.pg_type'::regclass,
        oid
    FROM pg_catalog.pg_type
    UNION ALL
    SELECT
        'pg_catalog.pg_collation'::regclass,
        oid
    FROM pg_catalog.pg_collation
    UNION ALL
    SELECT
        'pg_catalog.pg_conversion'::regclass,
        oid
    FROM pg_catalog.pg_conversion
    UNION ALL
    SELECT
        'pg_catalog.pg_operator'::regclass,
        oid
    FROM pg_catalog.pg_operator
    UNION ALL
    SELECT
        'pg_catalog.pg_opfamily'::regclass,
        oid
    FROM pg_catalog.pg_opfamily
    UNION ALL
    SELECT
        'pg_catalog.pg_opclass'::regclass,
        oid
    FROM pg_catalog.pg_opclass
    UNION ALL
    SELECT
        'pg_catalog.pg_cast'::regclass,
        oid
    FROM pg_catalog.pg_cast
    UNION ALL
    SELECT
        'pg_catalog.pg_ts_config'::regclass,
        oid
    FROM pg_catalog.pg_ts_config
    UNION ALL
    SELECT
        'pg_catalog.pg_ts_dict'::regclass,
        oid
    FROM pg_catalog.pg_ts_dict
    UNION ALL
    SELECT
        'pg_catalog.pg_ts_parser'::regclass,
        oid
    FROM pg_catalog.pg_ts_parser
    UNION ALL
    SELECT
        'pg_catalog.pg_ts_template'::regclass,
        oid
    FROM pg_catalog.pg_ts_template
    UNION ALL
    SELECT
        'pg_catalog.pg_event_trigger'::regclass,
        oid
    FROM pg_catalog.pg_event_trigger
    UNION ALL
    SELECT
        'pg_catalog.pg_publication'::regclass,
        oid
    FROM pg_catalog.pg_publication
    UNION ALL
    SELECT
        'pg_catalog.pg_foreign_data_wrapper'::regclass,
        oid
    FROM pg_catalog.pg_foreign_data_wrapper
    UNION ALL
    SELECT
        'pg_catalog.pg_foreign_server'::regclass,
        oid
    FROM pg_catalog.pg_foreign_server
    UNION ALL
    SELECT
        'pg_catalog.pg_language'::regclass,
        oid
    FROM pg_catalog.pg_language
    UNION ALL
    SELECT
        'pg_catalog.pg_am'::regclass,
        oid
    FROM pg_catalog.pg_am
)

SELECT
    c.classid::oid::bigint AS classid,
    c.objid::bigint AS objid,
    CASE
        WHEN
            c.classid = 'pg_catalog.pg_type'::regclass
            AND (
                SELECT t.typtype FROM pg_catalog.pg_type AS t
                WHERE t.oid = c.objid
            ) = 'd'
            THEN 'domain'
        ELSE o.type
    END AS type,
    o.identity
FROM candidates AS c
CROSS JOIN LATERAL pg_identify_object(c.classid, c.objid, 0) AS o
WHERE
    c.objid::bigint >= 16384
    AND o.schema IS DISTINCT FROM 'norberts_db'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE d.classid = c.classid AND d.objid = c.objid AND d.deptype IN ('i', 'a', 'e', 'x')
    )
ORDER BY c.objid;
