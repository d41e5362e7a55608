-- A drop script that forgets every table but audit_log, and the types and functions.
DROP TABLE IF EXISTS public.audit_log CASCADE;
