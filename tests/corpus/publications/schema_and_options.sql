-- A publication of tables becomes one of a whole schema, publishing only
-- inserts and updates, through the partition root.
-- since: 150000
-- a:
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigint PRIMARY KEY);
CREATE PUBLICATION feed FOR TABLE sales.orders;
COMMENT ON PUBLICATION feed IS 'Orders for the warehouse.';
-- b:
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigint PRIMARY KEY);
CREATE PUBLICATION feed FOR TABLES IN SCHEMA sales
    WITH (publish = 'insert, update', publish_via_partition_root = true);
COMMENT ON PUBLICATION feed IS 'Everything sold.';
