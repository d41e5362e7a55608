-- A procedural language on plpgsql's handler appears, with a comment.
-- a:
CREATE TABLE public.t (id integer);
-- b:
CREATE TABLE public.t (id integer);
CREATE TRUSTED LANGUAGE other_pl HANDLER plpgsql_call_handler
    INLINE plpgsql_inline_handler VALIDATOR plpgsql_validator;
COMMENT ON LANGUAGE other_pl IS 'plpgsql by another name.';
