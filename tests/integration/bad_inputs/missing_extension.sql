-- Needs an extension no server has (line 3).
CREATE TABLE public.notes (id bigint PRIMARY KEY);
CREATE EXTENSION norberts_no_such_extension;
