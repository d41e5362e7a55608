-- A publication of one table gains a second, a column list and a row filter.
-- since: 150000
-- a:
CREATE TABLE public.orders (id bigint PRIMARY KEY, total numeric, note text);
CREATE TABLE public.items (id bigint PRIMARY KEY, label text);
CREATE PUBLICATION shop FOR TABLE public.orders;
-- b:
CREATE TABLE public.orders (id bigint PRIMARY KEY, total numeric, note text);
CREATE TABLE public.items (id bigint PRIMARY KEY, label text);
CREATE PUBLICATION shop FOR TABLE public.orders (id, total) WHERE (total > 0), public.items;
