-- A fresh session's settings (and role) for the next script, whatever the one before set:
-- in a reset the drop script runs first, in a session nothing has changed yet.
RESET SESSION AUTHORIZATION;
RESET ALL;
