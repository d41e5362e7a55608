"""What ``db.reset`` and ``db.drop`` print: a line and what CASCADE took, or a JSON document.

The JSON document has the shape of ``db.verify``'s (a ``version``, a
``status``, an ``error`` that is null on success, sorted keys), so a CI step
reads both the same way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

from norberts_db.apply import ApplyResult
from norberts_db.errors import SettingsError

ApplyFormat = Literal["text", "json"]
APPLY_FORMATS: tuple[ApplyFormat, ...] = ("text", "json")


@dataclass(frozen=True)
class Applied:
    """One finished reset or drop, and the words that say so."""

    status: Literal["reset", "dropped"]
    summary: str
    database: str
    schema_file: str | None
    drop_script: str
    result: ApplyResult
    # What the operation left in the migration history, one line; empty without migrations.
    history: str = ""


def apply_format(fmt: str) -> ApplyFormat:
    for known in APPLY_FORMATS:
        if fmt == known:
            return known
    raise SettingsError(f"--format {fmt!r} is not known. Use one of: {', '.join(APPLY_FORMATS)}.")


def render(applied: Applied, fmt: ApplyFormat) -> str:
    return render_json(applied) if fmt == "json" else render_text(applied)


def render_text(applied: Applied) -> str:
    result = applied.result
    lines = [applied.summary]
    if result.cascade_unknown is not None:
        lines.append(
            f"The drop removed {len(result.cascaded)} object(s); which of them the schema file "
            f"creates could not be told ({result.cascade_unknown}):"
        )
    elif result.cascaded:
        lines.append(
            f"The drop also removed {len(result.cascaded)} object(s) that "
            f"{applied.schema_file} does not create:"
        )
    lines += [f"  {taken.kind} {taken.identity}" for taken in result.cascaded]
    if applied.history:
        lines.append(applied.history)
    return "\n".join(lines)


def render_json(applied: Applied) -> str:
    # Only here: the report module is not worth loading for every warm reset.
    from norberts_db.catalog.report import JSON_VERSION

    result = applied.result
    document = {
        "version": JSON_VERSION,
        "status": applied.status,
        "database": applied.database,
        "schema_file": applied.schema_file,
        "drop_script": applied.drop_script,
        "objects": asdict(result.counts),
        "seconds": round(result.seconds, 3),
        "cascaded": [taken.as_json() for taken in result.cascaded],
        "cascade_unknown": result.cascade_unknown,
        "history": applied.history or None,
        "seeded": None
        if result.seeded is None
        else {"path": result.seeded.path, "rows": dict(result.seeded.rows)},
        "error": None,
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
