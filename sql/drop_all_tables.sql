-- ===========================================================================
-- Norbert's Spark: remove everything sql/norberts_schema.sql creates
-- ===========================================================================
--
-- Every statement uses IF EXISTS, so the script also succeeds on an empty
-- database or after a partial run. Schema public itself is left alone.
-- No transaction control: the caller runs it inside one transaction.
--
-- Order: tables first (their indexes, constraints, triggers and identity
-- sequences go with them), then the trigger functions, then the types the
-- tables used. CASCADE only matters for objects created outside the schema
-- file that depend on these (views, for example); they are dropped too.
-- ===========================================================================

-- Tables, children before parents. Dropping a table also drops:
--   indexes      *_pk, *_uq, *_idx (e.g. users_email_lower_uq,
--                customer_people_one_primary_uq)
--   triggers     *_set_updated_at_trg, *_audit_trg
--   sequences    the identity sequence of each id column
DROP TABLE IF EXISTS public.audit_log CASCADE;
DROP TABLE IF EXISTS public.parts CASCADE;
DROP TABLE IF EXISTS public.ai_options CASCADE;
DROP TABLE IF EXISTS public.messages CASCADE;
DROP TABLE IF EXISTS public.chats CASCADE;
DROP TABLE IF EXISTS public.customer_people CASCADE;
DROP TABLE IF EXISTS public.people CASCADE;
DROP TABLE IF EXISTS public.customers CASCADE;
DROP TABLE IF EXISTS public.users CASCADE;

-- Trigger functions.
DROP FUNCTION IF EXISTS public.audit_row_change() CASCADE;
DROP FUNCTION IF EXISTS public.set_updated_at() CASCADE;

-- Enum types (each also has an array type, which goes with it).
DROP TYPE IF EXISTS public.audit_action CASCADE;
DROP TYPE IF EXISTS public.part_type CASCADE;
DROP TYPE IF EXISTS public.message_role CASCADE;
DROP TYPE IF EXISTS public.contact_role CASCADE;
DROP TYPE IF EXISTS public.customer_status CASCADE;
DROP TYPE IF EXISTS public.user_role CASCADE;
