-- Two sequences swap the tables that own them.
-- a:
CREATE TABLE public.a (id integer);
CREATE TABLE public.b (id integer);
CREATE SEQUENCE public.sa OWNED BY public.a.id;
CREATE SEQUENCE public.sb OWNED BY public.b.id;
-- b:
CREATE TABLE public.a (id integer);
CREATE TABLE public.b (id integer);
CREATE SEQUENCE public.sa OWNED BY public.b.id;
CREATE SEQUENCE public.sb OWNED BY public.a.id;
