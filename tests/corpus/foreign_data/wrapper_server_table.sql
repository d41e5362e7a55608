-- A wrapper, a server and a foreign table with column and table options, a
-- NOT NULL, a default and a CHECK appear on a database that has none.
-- a:
CREATE TABLE public.local (id integer PRIMARY KEY);
-- b:
CREATE TABLE public.local (id integer PRIMARY KEY);
CREATE FOREIGN DATA WRAPPER archive_fdw OPTIONS (mode 'read');
COMMENT ON FOREIGN DATA WRAPPER archive_fdw IS 'Old records.';
CREATE SERVER archive TYPE 'files' VERSION '2' FOREIGN DATA WRAPPER archive_fdw
    OPTIONS (host 'archive.invalid', port '5432');
COMMENT ON SERVER archive IS 'Read only.';
CREATE FOREIGN TABLE public.old_orders (
    id integer OPTIONS (column_name 'ID') NOT NULL,
    total numeric DEFAULT 0,
    CONSTRAINT positive CHECK (total >= 0)
) SERVER archive OPTIONS (table_name 'orders');
COMMENT ON FOREIGN TABLE public.old_orders IS 'Orders before 2020.';
COMMENT ON COLUMN public.old_orders.total IS 'In cents.';
