CREATE TABLE public.notes (id bigint PRIMARY KEY, body text);

-- Line 4 cannot run inside a transaction.
CREATE INDEX CONCURRENTLY notes_body_idx ON public.notes (body);
