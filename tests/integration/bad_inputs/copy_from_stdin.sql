CREATE TABLE public.notes (id bigint PRIMARY KEY);
COPY public.notes (id) FROM stdin;
1
2
\.
