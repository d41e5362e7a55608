-- Give back the claim on a temporary database's name (temporary_claim.sql).
SELECT pg_advisory_unlock(1312969796, hashtext(%(name)s));
