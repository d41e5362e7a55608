-- Whether the database holds anything of its own: a relation, type or routine
-- in a user schema, a schema besides public, or an extension besides plpgsql.
-- The migration history (schema norberts_db) does not count.
WITH user_namespaces AS (
    SELECT
        n.oid,
        n.nspname
    FROM pg_catalog.pg_namespace AS n
    WHERE
        n.nspname NOT IN ('pg_catalog', 'information_schema', 'norberts_db')
        AND n.nspname NOT LIKE 'pg\_%'
)

SELECT
    EXISTS (
        SELECT 1 FROM user_namespaces AS un
        WHERE un.nspname <> 'public'
    )
    OR EXISTS (
        SELECT 1 FROM pg_catalog.pg_extension AS e
        WHERE e.extname <> 'plpgsql'
    )
    OR EXISTS (
        SELECT 1 FROM pg_catalog.pg_class AS c
        WHERE c.relnamespace IN (SELECT un.oid FROM user_namespaces AS un)
    )
    OR EXISTS (
        SELECT 1 FROM pg_catalog.pg_type AS t
        WHERE t.typnamespace IN (SELECT un.oid FROM user_namespaces AS un)
    )
    OR EXISTS (
        SELECT 1 FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace IN (SELECT un.oid FROM user_namespaces AS un)
    );
