-- Under plain inheritance, a parent's CHECK reaches its children: a new
-- CHECK on the parent is added once, and a new child gets it from the parent.
-- a:
CREATE TABLE public.base (id integer, n integer);
CREATE TABLE public.child_a (extra text) INHERITS (public.base);
-- b:
CREATE TABLE public.base (id integer, n integer, CONSTRAINT base_n CHECK (n > 0));
CREATE TABLE public.child_a (extra text) INHERITS (public.base);
CREATE TABLE public.child_b () INHERITS (public.base);
