-- A foreign table moves to another server of another wrapper; the old
-- server and wrapper go.
-- a:
CREATE FOREIGN DATA WRAPPER old_w;
CREATE SERVER old_s FOREIGN DATA WRAPPER old_w;
CREATE FOREIGN TABLE public.f (id integer) SERVER old_s;
-- b:
CREATE FOREIGN DATA WRAPPER new_w;
CREATE SERVER new_s FOREIGN DATA WRAPPER new_w;
CREATE FOREIGN TABLE public.f (id integer) SERVER new_s;
