-- Line 2: databases are made by the server tasks, not by the schema.
CREATE DATABASE norberts_other;
