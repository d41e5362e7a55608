-- Subscriptions' connection strings, which the snapshot shows only as a
-- digest: a migration that creates a subscription or changes its connection
-- has to write them. Read only where the user may (superusers).
SELECT
    'subscription' AS kind,
    quote_ident(s.subname) AS name,
    s.subconninfo AS connection
FROM pg_catalog.pg_subscription AS s
WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database AS d WHERE d.datname = current_database());
