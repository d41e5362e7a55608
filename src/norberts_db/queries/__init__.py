"""SQL the toolkit sends, kept as .sql files and loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).parent


@cache
def load(name: str) -> str:
    """The text of ``queries/<name>.sql``.

    Read from beside this module rather than through importlib.resources: the
    package is always installed as plain files, and importing
    importlib.resources is a noticeable share of a warm ``db.reset``.
    """
    return (_HERE / f"{name}.sql").read_text(encoding="utf-8")
