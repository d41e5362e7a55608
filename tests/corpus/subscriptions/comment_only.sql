-- Only a subscription's comment changes. A subscription lives in a shared
-- catalog, but its comment is kept in the database's own pg_description.
-- a:
CREATE SUBSCRIPTION copy_notes CONNECTION 'host=publisher.invalid dbname=notes'
    PUBLICATION notes
    WITH (connect = false, enabled = false, slot_name = NONE);
-- b:
CREATE SUBSCRIPTION copy_notes CONNECTION 'host=publisher.invalid dbname=notes'
    PUBLICATION notes
    WITH (connect = false, enabled = false, slot_name = NONE);
COMMENT ON SUBSCRIPTION copy_notes IS 'Notes from the publisher.';
