-- A publication of all tables appears next to one that empties.
-- since: 150000
-- a:
CREATE TABLE public.events (id bigint PRIMARY KEY);
CREATE PUBLICATION audit FOR TABLE public.events;
-- b:
CREATE TABLE public.events (id bigint PRIMARY KEY);
CREATE PUBLICATION audit;
CREATE PUBLICATION everything FOR ALL TABLES WITH (publish = 'insert');
