INSERT INTO norberts_db.migration_progress AS p (version, name, parts_done, parts, done_checksum)
VALUES (%(version)s, %(name)s, %(parts_done)s, %(parts)s, %(done_checksum)s)
ON CONFLICT (version) DO UPDATE
    SET
        name = excluded.name,
        parts_done = excluded.parts_done,
        parts = excluded.parts,
        done_checksum = excluded.done_checksum,
        updated_at = now();
