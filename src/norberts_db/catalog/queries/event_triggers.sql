-- Event triggers belong to the database, not to a schema.
SELECT
    'event trigger' AS kind,
    quote_ident(e.evtname) AS name,
    e.evtevent AS event,
    array_to_string(e.evttags, ', ') AS tags,
    e.evtfoid::regprocedure::text AS function,
    CASE e.evtenabled
        WHEN 'O' THEN 'enabled'
        WHEN 'D' THEN 'disabled'
        WHEN 'R' THEN 'enabled on replica only'
        WHEN 'A' THEN 'enabled always'
    END AS enabled,
    obj_description(e.oid, 'pg_event_trigger') AS comment,
    pg_get_userbyid(e.evtowner) AS owner
FROM pg_catalog.pg_event_trigger AS e
WHERE NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend AS d
    WHERE
        d.classid = 'pg_catalog.pg_event_trigger'::regclass AND d.objid = e.oid AND d.deptype = 'e'
);
