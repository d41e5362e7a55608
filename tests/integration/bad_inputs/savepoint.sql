CREATE TABLE public.notes (id bigint PRIMARY KEY);
SAVEPOINT before_tags;
CREATE TABLE public.tags (id bigint PRIMARY KEY);
