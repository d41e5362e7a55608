"""The destructive-action guard's decisions, from connection parameters alone (no server)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from norberts_db.conninfo import ConnInfo
from norberts_db.errors import GuardError
from norberts_db.guard import CONFIRM_ENV, check_destructive, check_marks
from norberts_db.marks import Mark


def info(url: str) -> ConnInfo:
    return ConnInfo.from_url(url)


def never_asked(prompt: str) -> str:
    raise AssertionError(f"the guard asked although it must not: {prompt}")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@127.0.0.1:5432/db",
        "postgresql://u@127.0.0.2/db",
        "postgresql://u@localhost/db",
        "postgresql://u@LocalHost/db",
        "postgresql://u@[::1]:5433/db",
        "postgresql:///db?host=/var/run/postgresql",
        "host=localhost,127.0.0.1 port=5432 dbname=db",
        "postgresql://u@localhost/db?hostaddr=127.0.0.1",
        "host=/tmp dbname=db",
    ],
)
def test_loopback_and_unix_socket_servers_are_local_and_never_prompt(url: str) -> None:
    check_destructive(
        "reset", info(url), managed=False, allow_remote=False, environ={}, ask=never_asked
    )


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("postgresql://u@db.example.com/prod", "host db.example.com"),
        ("postgresql://u@203.0.113.7:6432/prod", "host 203.0.113.7 (port 6432)"),
        ("host=localhost,db.example.com port=5432 dbname=prod", "db.example.com"),
        ("postgresql://u@localhost/prod?hostaddr=203.0.113.9", "address 203.0.113.9"),
        ("postgresql://u@db.example.com/prod?hostaddr=127.0.0.1", "host db.example.com"),
        ("postgresql://u@localhost/prod?service=prod", "host localhost"),
        ("postgresql://u@127.0.0.1.example.com/prod", "host 127.0.0.1.example.com"),
    ],
)
def test_any_other_host_is_refused_without_allow_remote_naming_host_and_database(
    url: str, named: str
) -> None:
    with pytest.raises(GuardError) as caught:
        check_destructive(
            "reset", info(url), managed=False, allow_remote=False, environ={}, ask=never_asked
        )

    message = str(caught.value)
    assert named in message
    assert "database 'prod'" in message
    assert "--allow-remote" in message
    assert f"{CONFIRM_ENV}=prod" in message
    assert "nothing was sent to it" in message


def test_pghostaddr_in_the_environment_makes_even_the_managed_server_remote() -> None:
    target = info("postgresql://u@127.0.0.1:54318/dev")

    with pytest.raises(GuardError, match="not a local development server"):
        check_destructive(
            "reset", target, managed=True, allow_remote=False, environ={"PGHOSTADDR": "203.0.113.4"}
        )
    check_destructive(
        "reset", target, managed=True, allow_remote=False, environ={"PGHOSTADDR": "127.0.0.1"}
    )


def test_pgservice_in_the_environment_makes_a_loopback_url_remote() -> None:
    with pytest.raises(GuardError):
        check_destructive(
            "reset",
            info("postgresql://u@localhost/dev"),
            managed=False,
            allow_remote=False,
            environ={"PGSERVICE": "prod"},
        )


def test_a_non_interactive_run_with_allow_remote_needs_the_confirm_variable() -> None:
    target = info("postgresql://u@db.example.com/prod")

    with pytest.raises(GuardError) as caught:
        check_destructive(
            "reset", target, managed=False, allow_remote=True, environ={}, interactive=False
        )
    assert f"Set {CONFIRM_ENV}=prod to confirm" in str(caught.value)

    with pytest.raises(GuardError, match="is 'staging', not the database"):
        check_destructive(
            "reset",
            target,
            managed=False,
            allow_remote=True,
            environ={CONFIRM_ENV: "staging"},
            interactive=False,
        )

    check_destructive(
        "reset",
        target,
        managed=False,
        allow_remote=True,
        environ={CONFIRM_ENV: "prod"},
        interactive=False,
        ask=never_asked,
    )


def test_the_confirm_variable_alone_does_not_replace_allow_remote() -> None:
    with pytest.raises(GuardError, match="--allow-remote"):
        check_destructive(
            "reset",
            info("postgresql://u@db.example.com/prod"),
            managed=False,
            allow_remote=False,
            environ={CONFIRM_ENV: "prod"},
        )


def test_an_interactive_run_proceeds_only_when_the_typed_name_matches() -> None:
    target = info("postgresql://u@db.example.com/prod")
    prompts: list[str] = []

    def typed(answer: str) -> Callable[[str], str]:
        def ask(prompt: str) -> str:
            prompts.append(prompt)
            return answer

        return ask

    options = {"managed": False, "allow_remote": True, "environ": {}, "interactive": True}
    check_destructive("reset", target, ask=typed("prod\n"), **options)  # type: ignore[arg-type]
    with pytest.raises(GuardError, match="the name typed did not match 'prod'"):
        check_destructive("reset", target, ask=typed("yes"), **options)  # type: ignore[arg-type]
    assert "db.example.com" in prompts[0]
    assert "'prod'" in prompts[0]


def test_end_of_input_at_the_prompt_refuses_instead_of_crashing() -> None:
    def closed(prompt: str) -> str:
        raise EOFError

    with pytest.raises(GuardError, match="did not match"):
        check_destructive(
            "reset",
            info("postgresql://u@db.example.com/prod"),
            managed=False,
            allow_remote=True,
            environ={},
            interactive=True,
            ask=closed,
        )


@pytest.mark.parametrize("marker", [None, "development", "Development ", "DEVELOPMENT"])
def test_unmarked_and_development_databases_may_be_reset(marker: str | None) -> None:
    marks = [] if marker is None else [Mark("dev", "database", marker)]
    check_marks("reset", info("postgresql://u@127.0.0.1/dev"), marks)


@pytest.mark.parametrize("marker", ["production", "staging", "", "dev"])
def test_a_database_marked_anything_else_is_refused_with_how_to_unmark_it(marker: str) -> None:
    with pytest.raises(GuardError) as caught:
        check_marks(
            "reset", info('postgresql://u@127.0.0.1/we"ird'), [Mark('we"ird', "database", marker)]
        )

    message = str(caught.value)
    assert f"marked norberts.environment = {marker!r}" in message
    assert "database 'we\"ird' at 127.0.0.1:5432" in message
    assert 'ALTER DATABASE "we""ird" RESET norberts.environment;' in message
