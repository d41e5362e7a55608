"""What a timeout message claims about who was in the way, from what the watch saw."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg.errors

from norberts_db.apply_errors import timeout_error
from norberts_db.blocking import Session
from norberts_db.bounds import Limits
from norberts_db.conninfo import ConnInfo

INFO = ConnInfo(host="127.0.0.1", port=5432, user="postgres", dbname="norberts_spark")
LIMITS = Limits(lock_timeout=0.5, statement_timeout=2)
HOLDER = Session(
    pid=4558,
    application="psql",
    user="postgres",
    state="idle in transaction",
    query_start=datetime(2025, 1, 7, 10, 42, 13, tzinfo=UTC),
    query="SELECT * FROM users",
    waiting_for="table users",
)


def test_a_lock_wait_seen_names_the_lock_and_the_holder() -> None:
    text = str(timeout_error(psycopg.errors.LockNotAvailable(), INFO, LIMITS, "x.sql", (HOLDER,)))

    assert "Gave up waiting for a lock on table users after 0.5 s (lock_timeout)" in text
    assert "pid 4558, application 'psql'" in text
    assert "SELECT pg_terminate_backend(4558);" in text


def test_a_lock_wait_no_one_was_seen_in_does_not_claim_the_holder_had_ended() -> None:
    text = str(timeout_error(psycopg.errors.LockNotAvailable(), INFO, LIMITS, "x.sql", ()))

    assert "Gave up waiting for a lock after 0.5 s (lock_timeout)" in text
    assert "could not be named" in text
    assert "had ended" not in text
    assert "pg_blocking_pids(pid)" in text


def test_a_slow_statement_is_called_slow_only_if_the_watch_looked() -> None:
    cancelled = psycopg.errors.QueryCanceled()

    looked = str(timeout_error(cancelled, INFO, LIMITS, "x.sql", ()))
    unseen = str(timeout_error(cancelled, INFO, LIMITS, "x.sql", (), looked=False))

    assert "ran longer than 2 s (statement_timeout)" in looked
    assert "No other session was in its way: the statement itself is slow" in looked
    assert "ran longer than 2 s (statement_timeout)" in unseen
    assert "No other session was in its way" not in unseen
    assert "could not be seen before the statement was cancelled" in unseen
