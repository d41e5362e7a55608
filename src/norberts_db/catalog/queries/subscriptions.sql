-- Subscriptions of this database (logical replication). Run only where the
-- user may read pg_subscription.subconninfo (not_compared.sql says when not).
-- The connection string is compared by a digest and never shown. Options
-- differ between majors, so they are read through the row as JSON and each
-- one is shown as CREATE SUBSCRIPTION ... WITH writes it.
SELECT
    'subscription' AS kind,
    quote_ident(s.subname) AS name,
    '(hidden, md5 ' || left(md5(s.subconninfo), 8) || ')' AS connection,
    (
        SELECT string_agg(quote_ident(p.name), ', ' ORDER BY p.name)
        FROM unnest(s.subpublications) AS p (name)
    ) AS publications,
    CASE WHEN s.subenabled THEN 'enabled' ELSE 'disabled' END AS enabled,
    coalesce(quote_literal(s.subslotname::text), 'NONE') AS slot_name,
    (
        SELECT string_agg(o.option, ', ' ORDER BY o.option)
        FROM (
            SELECT
                CASE j.key
                    WHEN 'subbinary' THEN 'binary = ' || j.value
                    WHEN 'substream'
                        THEN
                            'streaming = ' || CASE j.value
                                WHEN 'f' THEN 'off' WHEN 'false' THEN 'off'
                                WHEN 't' THEN 'on' WHEN 'true' THEN 'on'
                                WHEN 'p' THEN 'parallel' ELSE j.value
                            END
                    WHEN 'subtwophasestate'
                        THEN
                            'two_phase = '
                            || CASE j.value WHEN 'd' THEN 'false' ELSE 'true' END
                    WHEN 'subdisableonerr' THEN 'disable_on_error = ' || j.value
                    WHEN 'subsynccommit' THEN 'synchronous_commit = ' || quote_literal(j.value)
                    WHEN 'subpasswordrequired' THEN 'password_required = ' || j.value
                    WHEN 'subrunasowner' THEN 'run_as_owner = ' || j.value
                    WHEN 'suborigin' THEN 'origin = ' || j.value
                    WHEN 'subfailover' THEN 'failover = ' || j.value
                END AS option
            FROM jsonb_each_text(to_jsonb(s.*)) AS j (key, value)
        ) AS o
        WHERE o.option IS NOT NULL
    ) AS options,
    -- pg_subscription is shared, but a subscription's comment is kept per database.
    obj_description(s.oid, 'pg_subscription') AS comment,
    pg_get_userbyid(s.subowner) AS owner
FROM pg_catalog.pg_subscription AS s
WHERE
    s.subdbid = (
        SELECT d.oid FROM pg_catalog.pg_database AS d
        WHERE d.datname = current_database()
    );
