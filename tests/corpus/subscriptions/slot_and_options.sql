-- A subscription gets a replication slot name and binary transfer; the other
-- way it lets go of its slot, as a subscription that is dropped must first.
-- since: 150000
-- a:
CREATE SUBSCRIPTION feed CONNECTION 'host=publisher.invalid dbname=shop'
    PUBLICATION orders WITH (connect = false, enabled = false, slot_name = NONE);
CREATE SUBSCRIPTION gone CONNECTION 'host=publisher.invalid dbname=shop'
    PUBLICATION orders WITH (connect = false, enabled = false, slot_name = 'gone_slot');
-- b:
CREATE SUBSCRIPTION feed CONNECTION 'host=publisher.invalid dbname=shop'
    PUBLICATION orders
    WITH (connect = false, enabled = false, slot_name = 'feed_slot', binary = true);
