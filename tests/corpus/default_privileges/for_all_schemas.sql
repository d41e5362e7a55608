-- Default privileges for all schemas: functions stop being executable by
-- PUBLIC, and tables become readable by it; the other way they return to
-- PostgreSQL's defaults.
-- privileges: yes
-- a:
CREATE SCHEMA app;
-- b:
CREATE SCHEMA app;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
