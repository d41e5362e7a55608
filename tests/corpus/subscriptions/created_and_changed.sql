-- A subscription (made without connecting) changes its publications and
-- options and gains a comment; another appears.
-- since: 160000
-- a:
CREATE SUBSCRIPTION copy_orders CONNECTION 'host=publisher.invalid dbname=shop'
    PUBLICATION orders
    WITH (connect = false, enabled = false, slot_name = NONE);
-- b:
CREATE SUBSCRIPTION copy_orders CONNECTION 'host=publisher.invalid dbname=shop'
    PUBLICATION orders, items
    WITH (connect = false, enabled = false, slot_name = NONE, binary = true,
        streaming = on, disable_on_error = true, origin = none);
COMMENT ON SUBSCRIPTION copy_orders IS 'Orders from the shop.';
CREATE SUBSCRIPTION copy_users CONNECTION 'host=users.invalid dbname=users'
    PUBLICATION users
    WITH (connect = false, enabled = false, slot_name = NONE, synchronous_commit = 'off');
