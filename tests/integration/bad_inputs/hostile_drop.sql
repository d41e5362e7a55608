-- The drop script that goes with hostile_schema_name.sql.
DROP SCHEMA IF EXISTS """; DROP TABLE users; --" CASCADE;
