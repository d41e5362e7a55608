-- psql would read another file here (line 3); the server would not.
CREATE TABLE public.notes (id bigint PRIMARY KEY);
\i other_schema.sql
CREATE TABLE public.tags (id bigint PRIMARY KEY);
