-- Which of the rarer kinds of object the database can hold, one column per
-- kind's query, named after it and on a line that ends with the name (that is
-- how queries.GATED_KINDS reads them): the snapshot runs a kind's query only
-- where its column is true.
-- Planning those queries on a new connection costs the server more than the
-- nine most common kinds' together, and most databases hold none of them.
-- Each test is looser than its query, never stricter: it asks whether the
-- catalog holds any row made after initdb. Every object made after initdb has
-- an OID of 16384 (FirstNormalObjectId) or more, even after the OID counter
-- wraps around; catalogs that initdb leaves empty are asked for any row.
SELECT
    EXISTS(
        SELECT 1 FROM pg_catalog.pg_collation AS co
        WHERE co.oid >= 16384
    ) AS collations,
    EXISTS(
        SELECT 1 FROM pg_catalog.pg_type AS t
        WHERE t.oid >= 16384 AND t.typtype = 'd'
    ) AS domains,
    EXISTS(SELECT 1 FROM pg_catalog.pg_policy) AS policies,
    EXISTS(SELECT 1 FROM pg_catalog.pg_statistic_ext) AS statistics,
    EXISTS(
        SELECT 1 FROM pg_catalog.pg_rewrite AS r
        WHERE r.oid >= 16384 AND r.rulename <> '_RETURN'
    ) AS rules,
    EXISTS(
        SELECT 1 FROM pg_catalog.pg_operator AS o
        WHERE o.oid >= 16384
    ) AS operators,
    EXISTS (
        SELECT 1 FROM pg_catalog.pg_opfamily AS f
        WHERE f.oid >= 16384
    )
    OR EXISTS (
        SELECT 1 FROM pg_catalog.pg_opclass AS c
        WHERE c.oid >= 16384
    ) AS operator_classes,
    EXISTS(
        SELECT 1 FROM pg_catalog.pg_cast AS c
        WHERE c.oid >= 16384
    ) AS casts,
    EXISTS (
        SELECT 1 FROM pg_catalog.pg_ts_config AS c
        WHERE c.oid >= 16384
    )
    OR EXISTS (
        SELECT 1 FROM pg_catalog.pg_ts_dict AS d
        WHERE d.oid >= 16384
    )
    OR EXISTS (
        SELECT 1 FROM pg_catalog.pg_ts_parser AS p
        WHERE p.oid >= 16384
    )
    OR EXISTS (
        SELECT 1 FROM pg_catalog.pg_ts_template AS t
        WHERE t.oid >= 16384
    ) AS text_search,
    EXISTS (
        SELECT 1 FROM pg_catalog.pg_language AS l
        WHERE l.oid >= 16384
    )
    OR EXISTS (
        SELECT 1 FROM pg_catalog.pg_conversion AS c
        WHERE c.oid >= 16384
    ) AS conversions_and_languages,
    EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_data_wrapper)
    OR EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_server)
    OR EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_table) AS foreign_data,
    EXISTS(SELECT 1 FROM pg_catalog.pg_foreign_table) AS foreign_table_parts,
    -- A user mapping needs a server; not every user may read pg_user_mapping.
    EXISTS(SELECT 1 FROM pg_catalog.pg_foreign_server) AS user_mappings,
    EXISTS(SELECT 1 FROM pg_catalog.pg_publication) AS publications,
    EXISTS(SELECT 1 FROM pg_catalog.pg_event_trigger) AS event_triggers,
    EXISTS(
        SELECT 1 FROM pg_catalog.pg_aggregate AS a
        WHERE a.aggfnoid::oid >= 16384
    ) AS aggregates,
    EXISTS(SELECT 1 FROM pg_catalog.pg_default_acl) AS default_privileges;
