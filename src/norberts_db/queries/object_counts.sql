-- How many objects of each kind the user's schemas hold, for the reset summary (the
-- migration history in schema norberts_db is the toolkit's, not the user's).
WITH user_namespaces AS (
    SELECT n.oid
    FROM pg_catalog.pg_namespace AS n
    WHERE
        n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'norberts_db')
        AND n.nspname NOT LIKE 'pg\_temp\_%'
        AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
)

SELECT
    (
        SELECT count(*) FROM pg_catalog.pg_class AS c
        WHERE
            c.relnamespace IN (SELECT un.oid FROM user_namespaces AS un) AND c.relkind IN ('r', 'p')
    ) AS tables,
    (
        SELECT count(*) FROM pg_catalog.pg_class AS c
        WHERE
            c.relnamespace IN (SELECT un.oid FROM user_namespaces AS un) AND c.relkind IN ('v', 'm')
    ) AS views,
    (
        SELECT count(*) FROM pg_catalog.pg_class AS c
        WHERE
            c.relnamespace IN (SELECT un.oid FROM user_namespaces AS un) AND c.relkind IN ('i', 'I')
    ) AS indexes,
    (
        SELECT count(*) FROM pg_catalog.pg_type AS t
        WHERE
            t.typnamespace IN (SELECT un.oid FROM user_namespaces AS un)
            AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND t.typrelid IN (
                SELECT c.oid FROM pg_catalog.pg_class AS c
                WHERE c.relkind = 'c'
            )))
    ) AS types,
    (
        SELECT count(*) FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace IN (SELECT un.oid FROM user_namespaces AS un)
    ) AS functions,
    (
        SELECT count(*) FROM pg_catalog.pg_trigger AS tg
        INNER JOIN pg_catalog.pg_class AS c ON tg.tgrelid = c.oid
        WHERE c.relnamespace IN (SELECT un.oid FROM user_namespaces AS un) AND NOT tg.tgisinternal
    ) AS triggers,
    (
        SELECT count(*) FROM pg_catalog.pg_constraint AS co
        WHERE co.connamespace IN (SELECT un.oid FROM user_namespaces AS un)
    ) AS constraints;
