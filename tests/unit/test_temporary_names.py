"""The name shape the sweep of temporary databases accepts, and nothing near it."""

from __future__ import annotations

import re
import secrets

import pytest

from norberts_db.temporary import SHADOW_PREFIX, SUFFIX_BYTES, name_pattern


def test_every_name_the_toolkit_generates_has_the_shape() -> None:
    for _ in range(100):
        name = SHADOW_PREFIX + secrets.token_hex(SUFFIX_BYTES)
        assert re.search(name_pattern(SHADOW_PREFIX), name)


@pytest.mark.parametrize(
    "name",
    [
        "norberts_shadow_before_upgrade",
        "norberts_shadow_0123456789abcde",
        "norberts_shadow_0123456789abcdef0",
        "norberts_shadow_0123456789ABCDEF",
        "norberts_shadow_0123456789abcdef_old",
        "Norberts_shadow_0123456789abcdef",
        "xnorberts_shadow_0123456789abcdef",
        "norberts_shadow_0123456789abcdef\n",
    ],
)
def test_a_near_miss_does_not_have_the_shape(name: str) -> None:
    assert not re.search(name_pattern(SHADOW_PREFIX), name)
