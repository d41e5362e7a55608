-- Options of a wrapper, server and foreign table are added, changed and
-- dropped; the foreign table gains a column, loses one, changes a type, its
-- NOT NULL, a column option and its CHECK; the server's version changes.
-- a:
CREATE FOREIGN DATA WRAPPER w OPTIONS (mode 'read', debug 'on');
CREATE SERVER s VERSION '1' FOREIGN DATA WRAPPER w OPTIONS (host 'a.invalid');
CREATE FOREIGN TABLE public.f (
    id integer OPTIONS (column_name 'ID'),
    name text NOT NULL,
    gone text,
    CONSTRAINT named CHECK (name <> '')
) SERVER s OPTIONS (table_name 'f');
-- b:
CREATE FOREIGN DATA WRAPPER w OPTIONS (mode 'write');
CREATE SERVER s VERSION '2' FOREIGN DATA WRAPPER w OPTIONS (host 'b.invalid', dbname 'x');
CREATE FOREIGN TABLE public.f (
    id bigint OPTIONS (column_name 'Id'),
    name text,
    added date,
    CONSTRAINT named CHECK (length(name) > 1)
) SERVER s;
