-- The column type on line 5 does not exist.
CREATE TABLE public.notes (
    id bigint PRIMARY KEY,
    body text NOT NULL,
    mood feelings NOT NULL
);
