-- The mark as this very session sees it: whatever the catalog says, plus the
-- server's command line and the client's own options. Read besides the catalog,
-- never instead of it: a client option can only add a refusal, not lift one.
SELECT current_setting('norberts.environment', true);
