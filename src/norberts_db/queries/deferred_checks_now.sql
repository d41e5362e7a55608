-- Check now what COMMIT would check: the deferred constraints of what ran so far.
SET CONSTRAINTS ALL IMMEDIATE;
