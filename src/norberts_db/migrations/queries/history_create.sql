-- The migration history: one row per migration applied to this database.
-- It lives in a schema of the toolkit's own, which db.verify leaves out.
CREATE SCHEMA IF NOT EXISTS norberts_db;

CREATE TABLE IF NOT EXISTS norberts_db.migration_history (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user,
    duration_ms integer NOT NULL,
    CONSTRAINT migration_history_pk PRIMARY KEY (version),
    CONSTRAINT migration_history_checksum_ck CHECK (checksum ~ '^[0-9a-f]{64}$')
);

COMMENT ON TABLE norberts_db.migration_history IS
'Migrations applied by invoke db.migrate: version, file name, SHA-256 of the file.';
