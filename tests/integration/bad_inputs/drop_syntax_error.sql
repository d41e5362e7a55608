-- A drop script with a typo on line 3.
DROP TABLE IF EXISTS public.audit_log CASCADE;
DROP TABEL IF EXISTS public.parts CASCADE;
