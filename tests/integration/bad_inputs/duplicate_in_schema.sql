-- Creates the same table twice: line 5 fails even on an empty database.
CREATE TABLE public.notes (id bigint PRIMARY KEY);

-- once more
CREATE TABLE public.notes (id bigint PRIMARY KEY);
