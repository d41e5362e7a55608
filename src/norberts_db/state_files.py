"""Small JSON files the toolkit keeps in its state folder (proofs, failed pulls).

They only ever save work: one that cannot be read counts as empty, and one
that cannot be written is left as it was. A write goes to a temporary file
first, so a reader never sees half of one.
"""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path


def read_object(path: Path) -> dict[str, object]:
    """The JSON object in ``path``; empty when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_object(path: Path, data: dict[str, object]) -> None:
    """Replace ``path`` with ``data`` whole; a folder that cannot be written changes nothing."""
    with suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        temporary.replace(path)
