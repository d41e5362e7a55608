-- Leave the checks of every deferrable constraint to the end, as the last step runs them.
SET CONSTRAINTS ALL DEFERRED;
