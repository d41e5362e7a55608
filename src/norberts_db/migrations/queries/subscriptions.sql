-- Subscriptions' connection strings, which the snapshot shows only as a
-- digest: a migration that creates a subscription or changes its connection
-- has to write them. Read only where the user may (superusers). The
-- publications in the order they were given (the snapshot sorts them: the
-- order means nothing, but a migration writes them as the schema does).
SELECT
    'subscription' AS kind,
    quote_ident(s.subname) AS name,
    s.subconninfo AS connection,
    (
        SELECT string_agg(quote_ident(p.name), ', ' ORDER BY p.position)
        FROM unnest(s.subpublications) WITH ORDINALITY AS p (name, position)
    ) AS publications_in_order
FROM pg_catalog.pg_subscription AS s
WHERE
    s.subdbid = (
        SELECT d.oid FROM pg_catalog.pg_database AS d
        WHERE d.datname = current_database()
    );
