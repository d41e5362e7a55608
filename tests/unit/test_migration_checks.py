"""Which migration files control transactions, and which index a concurrent build names."""

from __future__ import annotations

from pathlib import Path

import pytest

from norberts_db.migrations.checks import check_migration
from norberts_db.migrations.concurrent import parse
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.parts import segments
from norberts_db.sqlfile import SqlScript, split_statements


def script(text: str) -> SqlScript:
    return SqlScript(Path("m.sql"), tuple(split_statements(text)))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("SELECT 1;\nCOMMIT;", 2),
        ("SELECT 1;\ncommit and chain;", 2),
        ("SELECT 1;\nROLLBACK PREPARED 'x';", 2),
        ("SELECT 1;\nCOMMIT PREPARED 'x';", 2),
        ("DO $$\nBEGIN\n  IF true THEN\n    ROLLBACK;\n  END IF;\nEND $$;", 4),
        ("DO LANGUAGE plpgsql $body$\nBEGIN\n  commit;\nEND\n$body$;", 3),
        ("ALTER DATABASE d SET TABLESPACE t;", 1),
    ],
)
def test_transaction_control_is_refused_with_its_line(text: str, line: int) -> None:
    with pytest.raises(MigrationError, match=rf"^m\.sql:{line}: "):
        check_migration(script(text))


@pytest.mark.parametrize(
    "text",
    [
        "DO $$\nBEGIN\n  -- COMMIT later\n  RAISE NOTICE 'COMMIT';\nEND $$;",
        "DO $$\nBEGIN\n  PERFORM $q$ COMMIT $q$;\nEND $$;",
        "DO LANGUAGE plpython3u $$\ncommit()\n$$;",
        "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$;",
        "CREATE TABLE commits (id int);\nCOMMENT ON TABLE commits IS 'COMMIT;';",
        "CREATE INDEX CONCURRENTLY i ON t (c);\nALTER TYPE e ADD VALUE 'x';",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
    ],
)
def test_what_only_looks_like_transaction_control_is_accepted(text: str) -> None:
    check_migration(script(text))


def test_the_index_a_concurrent_build_names_is_read_as_postgresql_reads_it() -> None:
    found = parse(
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Odd ""Name""" ON ONLY s."T" '
        "USING btree (c) WHERE c > 0;"
    )
    assert found is not None
    assert (found.name, found.table, found.unique) == ('Odd "Name"', 's."T"', True)
    assert found.rest == " USING btree (c) WHERE c > 0"
    plain = parse("create index concurrently My_Idx on t (c)")
    assert plain is not None and (plain.name, plain.unique) == ("my_idx", False)
    assert parse("CREATE INDEX CONCURRENTLY ON t (c);") is None
    assert parse("CREATE INDEX i ON t (c);") is None


@pytest.mark.parametrize(
    "text",
    [
        "REINDEX SCHEMA public;",
        "REINDEX (VERBOSE) DATABASE d;",
        "REINDEX TABLE CONCURRENTLY t;",
        "VACUUM ANALYZE t;",
        "DROP INDEX CONCURRENTLY IF EXISTS i;",
    ],
)
def test_what_postgresql_refuses_in_a_transaction_runs_alone(text: str) -> None:
    parts = segments(tuple(split_statements(f"SELECT 1;\n{text}\nSELECT 2;")))
    assert [part.transactional for part in parts] == [True, False, True]
