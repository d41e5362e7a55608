-- A column with a default and a NOT NULL appears on a table that holds a key.
-- a:
CREATE TABLE public.t (id bigint PRIMARY KEY);
-- b:
CREATE TABLE public.t (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x');
