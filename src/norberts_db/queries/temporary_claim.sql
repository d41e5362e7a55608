-- Claim the name of a temporary database (verify's shadow, check-drop's scratch)
-- for as long as this session lives, so that another run's sweep leaves it alone.
-- A session-level advisory lock, released when the session ends, however it ends.
-- The first key is the bytes of 'NBTD'.
SELECT pg_advisory_lock(1312969796, hashtext(%(name)s));
