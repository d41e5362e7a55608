-- Two sequences swap owners while one owner's table goes and another comes:
-- each is released before the table that owned it goes, then owned anew.
-- a:
CREATE TABLE public.a (id integer);
CREATE TABLE public.b (id integer);
CREATE SEQUENCE public.sa OWNED BY public.a.id;
CREATE SEQUENCE public.sb OWNED BY public.b.id;
-- b:
CREATE TABLE public.b (id integer);
CREATE TABLE public.c (id integer);
CREATE SEQUENCE public.sa OWNED BY public.b.id;
CREATE SEQUENCE public.sb OWNED BY public.c.id;
