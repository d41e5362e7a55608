"""The expected side of ``verify``, built once per schema: for tests of the actual side.

``verify_database`` builds a shadow database from the schema file on every
call and reads its snapshot. A drift test calls it twice (the drift found,
then nothing after a reset) on a schema many tests share, so building that
shadow each time costs most of the test, and tells nothing new: a shadow of
the same statements on the same server, as the same user, is the same
snapshot every time (``test_a_shadow_is_the_same_snapshot_every_time`` pins
that). ``shadow_built_once`` lets ``verify_database`` run unchanged, with the
first shadow of each schema kept for the rest of the session. Tests of the
shadow itself (its removal, interrupts, errors in the schema file) do not use it.
"""

from __future__ import annotations

import pytest

from norberts_db import verify
from norberts_db.catalog.model import Snapshot
from norberts_db.conninfo import ConnInfo
from norberts_db.sqlfile import SqlScript

from .template_helpers import script_key

_SHADOWS: dict[tuple[str, int, str, str, bool], tuple[Snapshot, tuple[str, ...]]] = {}


@pytest.fixture
def shadow_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    build = verify.shadow_snapshot

    def built_once(
        server: ConnInfo, schema: SqlScript, *, privileges: bool = False
    ) -> tuple[Snapshot, tuple[str, ...]]:
        key = (server.host, server.port, server.user, script_key(schema), privileges)
        if key not in _SHADOWS:
            _SHADOWS[key] = build(server, schema, privileges=privileges)
        return _SHADOWS[key]

    monkeypatch.setattr(verify, "shadow_snapshot", built_once)
