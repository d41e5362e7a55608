-- Drop the subscriptions of a scratch database, so the database itself can
-- be dropped (PostgreSQL refuses while a subscription uses it). Each one lets
-- go of its replication slot first: nothing connects to a publisher.
DO $$
DECLARE
    s record;
BEGIN
    FOR s IN
        SELECT sub.subname, sub.subenabled
        FROM pg_catalog.pg_subscription AS sub
        INNER JOIN pg_catalog.pg_database AS d ON sub.subdbid = d.oid
        WHERE d.datname = current_database()
    LOOP
        IF s.subenabled THEN
            EXECUTE format('ALTER SUBSCRIPTION %I DISABLE', s.subname);
        END IF;
        EXECUTE format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', s.subname);
        EXECUTE format('DROP SUBSCRIPTION %I', s.subname);
    END LOOP;
END
$$;
