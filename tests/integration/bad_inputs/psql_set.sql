\set ON_ERROR_STOP on
CREATE TABLE public.notes (id bigint PRIMARY KEY);
