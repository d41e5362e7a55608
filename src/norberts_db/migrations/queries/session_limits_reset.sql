-- Back to the session's own bounds after waiting for the migrate lock under the
-- toolkit's lock_timeout (each migration sets its bounds in its transaction).
RESET lock_timeout;
RESET statement_timeout;
