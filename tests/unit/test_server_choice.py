"""Which server a task acts on when a URL and a backend are both configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from norberts_db.errors import SettingsError
from norberts_db.servers import wants_external
from norberts_db.settings import load_settings

URL = "postgresql://app@127.0.0.1:5432/app"


def test_a_url_flag_wins_over_a_backend_from_the_environment(tmp_path: Path) -> None:
    s = load_settings(tmp_path, {"NORBERTS_DB_BACKEND": "embedded"}, url=URL)
    assert wants_external(s)


def test_a_url_from_the_environment_yields_to_an_explicit_backend(tmp_path: Path) -> None:
    s = load_settings(tmp_path, {"DATABASE_URL": URL, "NORBERTS_DB_BACKEND": "docker"})
    assert not wants_external(s)


def test_a_url_from_the_environment_is_used_by_auto(tmp_path: Path) -> None:
    assert wants_external(load_settings(tmp_path, {"DATABASE_URL": URL}))


def test_no_url_and_auto_is_not_external(tmp_path: Path) -> None:
    assert not wants_external(load_settings(tmp_path, {}))


def test_url_and_backend_flags_together_are_refused(tmp_path: Path) -> None:
    s = load_settings(tmp_path, {}, url=URL, backend="docker")
    with pytest.raises(SettingsError, match="--url names an external server but --backend"):
        wants_external(s)
