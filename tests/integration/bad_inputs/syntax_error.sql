-- A schema with a typo on line 7.
CREATE TABLE public.notes (
    id bigint PRIMARY KEY,
    body text NOT NULL
);

CREAT TABLE public.tags (id bigint PRIMARY KEY);
