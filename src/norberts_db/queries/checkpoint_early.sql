-- The checkpoint that DROP DATABASE of the shadow takes and waits for, taken
-- while the shadow is built (see norberts_db.verify). Needs superuser or the
-- pg_checkpoint role; without either the early start is left out. (sqlfluff
-- does not know the statement.)
CHECKPOINT; -- noqa: PRS
