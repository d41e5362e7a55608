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

-- A migration that db.migrate committed in part (a CREATE INDEX CONCURRENTLY
-- or ALTER TYPE ... ADD VALUE ends a transaction), with the SHA-256 of the
-- parts done, so that the next run resumes after them instead of repeating
-- them. The row goes when the migration is recorded in migration_history.
CREATE TABLE IF NOT EXISTS norberts_db.migration_progress (
    version integer NOT NULL,
    name text NOT NULL,
    parts_done integer NOT NULL,
    parts integer NOT NULL,
    done_checksum text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT migration_progress_pk PRIMARY KEY (version),
    CONSTRAINT migration_progress_checksum_ck CHECK (done_checksum ~ '^[0-9a-f]{64}$')
);

COMMENT ON TABLE norberts_db.migration_progress IS
'Migrations db.migrate committed in part: the parts done and their SHA-256, to resume after them.';
