"""How a mark is described, and the statement that removes it, at each level."""

from __future__ import annotations

import pytest

from norberts_db.marks import Mark, non_development, setting_name


@pytest.mark.parametrize(
    ("mark", "removal"),
    [
        (Mark("d b", "database", "production"), 'ALTER DATABASE "d b" RESET norberts.environment;'),
        (
            Mark("db", "database", "production", "Norberts.Environment"),
            'ALTER DATABASE "db" RESET "Norberts"."Environment";',
        ),
        (
            Mark("db", "role in database", "x", role="app"),
            'ALTER ROLE "app" IN DATABASE "db" RESET norberts.environment;',
        ),
        (
            Mark("db", "role", "x", role='we"ird'),
            'ALTER ROLE "we""ird" RESET norberts.environment;',
        ),
        (Mark("db", "all roles", "x"), "ALTER ROLE ALL RESET norberts.environment;"),
        (
            Mark("db", "configuration file", "x", source="/data/postgresql.auto.conf:3"),
            "ALTER SYSTEM RESET norberts.environment; SELECT pg_reload_conf();",
        ),
        (
            Mark("db", "configuration file", "x", source="/etc/postgresql.conf:12"),
            "remove /etc/postgresql.conf:12 and reload the server",
        ),
    ],
)
def test_each_level_names_the_statement_that_removes_it(mark: Mark, removal: str) -> None:
    assert mark.removal() == removal


def test_setting_names_are_written_plain_only_when_plain() -> None:
    assert setting_name("norberts.environment") == "norberts.environment"
    assert setting_name("NORBERTS.environment") == '"NORBERTS"."environment"'


def test_one_mark_that_is_not_development_is_enough_to_refuse() -> None:
    marks = [Mark("db", "database", " Development"), Mark("db", "role", "Production", role="r")]

    assert non_development(marks) == (marks[1],)
