"""What ``migration.prove`` found, and its report: text, JSON, GitHub annotations.

Exit codes as for verify: 0 proved, 1 problems found, 2 could not prove.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from norberts_db.catalog import report as catalog_report
from norberts_db.catalog.report import Format, annotation, error_annotation
from norberts_db.catalog.results import VerifyResult
from norberts_db.migrations.prove_watch import Hold, StatementRecord

PROVED, PROBLEMS, COULD_NOT_PROVE = 0, 1, 2


@dataclass(frozen=True)
class Problem:
    kind: str  # statement-failed | rows-lost | long-exclusive-lock | table-rewrite | schema-drift
    message: str
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Thresholds:
    lock_seconds: float
    rewrite_rows: int


@dataclass
class ProveResult:
    target: str
    thresholds: Thresholds
    copy_how: str = ""
    copy_why: str = ""
    copy_name: str = ""  # the temporary database, dropped by the time the report is read
    applied: tuple[str, ...] = ()
    statements: list[StatementRecord] = field(default_factory=list)
    rows_before: dict[str, int] = field(default_factory=dict)
    rows_after: dict[str, int] = field(default_factory=dict)
    verify: VerifyResult | None = None
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return find_problems(self)

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        return "problems" if self.problems else "proved"

    @property
    def exit_code(self) -> int:
        return {"proved": PROVED, "problems": PROBLEMS, "error": COULD_NOT_PROVE}[self.status]

    @property
    def longest_hold(self) -> tuple[Hold, StatementRecord] | None:
        holds = [(h, s) for s in self.statements for h in s.holds]
        return max(holds, key=lambda pair: pair[0].seconds, default=None)


def find_problems(result: ProveResult) -> list[Problem]:
    found: list[Problem] = []
    limits = result.thresholds
    for s in result.statements:
        if s.error is not None:
            found.append(
                Problem(
                    "statement-failed",
                    f"{s.where}: fails on the target's data: {s.error.strip()}\n  statement: "
                    f"{s.first_line}\n  The deploy would fail here, and this migration "
                    "would be rolled back.",
                    s.file,
                    s.line,
                )
            )
        for table, (before, after) in s.rows.items():
            if before and (after is None or after < before) and not s.destructive:
                gone = before - (after or 0)
                found.append(
                    Problem(
                        "rows-lost",
                        f"{s.where}: {table} lost {gone} of {before} rows, and the statement is "
                        f"not marked -- DESTRUCTIVE: {s.first_line}",
                        s.file,
                        s.line,
                    )
                )
        for hold in s.holds:
            if hold.rows and hold.seconds > limits.lock_seconds:
                found.append(
                    Problem(
                        "long-exclusive-lock",
                        f"{s.where}: holds ACCESS EXCLUSIVE on {hold.table} ({hold.rows} rows) "
                        f"for {hold.seconds:.3f} s, over {limits.lock_seconds:g} s: "
                        f"{s.first_line}",
                        s.file,
                        s.line,
                    )
                )
        for table in s.rewritten:
            rows = s.rows.get(table, (None, None))
            count = rows[0] if rows[0] is not None else rows[1] or 0
            if count > limits.rewrite_rows:
                found.append(
                    Problem(
                        "table-rewrite",
                        f"{s.where}: rewrites {table} ({count} rows, over {limits.rewrite_rows}) "
                        f"in {s.seconds:.3f} s: {s.first_line}",
                        s.file,
                        s.line,
                    )
                )
    verify = result.verify
    if verify is not None and verify.error is None and verify.differences:
        found.append(
            Problem(
                "schema-drift",
                f"after the migrations the copy differs from {verify.schema_file} in "
                f"{len(verify.differences)} object(s):\n{catalog_report.render_text(verify)}",
                verify.schema_file,
            )
        )
    return found


def render(result: ProveResult, fmt: Format) -> str:
    return {"text": render_text, "json": render_json, "github": render_github}[fmt](result)


def render_text(result: ProveResult) -> str:
    if result.error is not None:
        return f"could not prove the migrations on {result.target}: {result.error}"
    lines = [f"migration.prove on a copy of {result.target} ({result.copy_how}: {result.copy_why})"]
    if not result.applied and not result.statements:
        lines.append("no pending migration: the target is up to date.")
    else:
        applied = f": {', '.join(result.applied)}" if result.applied else ""
        lines.append(f"applied {len(result.applied)} migration(s) to the copy{applied}")
    for s in result.statements:
        lines.append(f"  {s.where}  {s.seconds * 1000:8.1f} ms  {s.first_line}")
        locks = ", ".join(f"{mode.removesuffix('Lock')} {rel}" for rel, mode in s.locks)
        if locks:
            lines.append(f"      locks: {locks}")
        if s.alone:
            lines.append("      outside a transaction: its locks ended with it")
        if s.rewritten:
            lines.append(f"      rewrote: {', '.join(s.rewritten)}")
        for table, (before, after) in s.rows.items():
            lines.append(f"      rows {table}: {_n(before)} -> {_n(after)}")
        if s.error is not None:
            lines.append(f"      FAILED: {s.error.strip().splitlines()[0]}")
    problems = result.problems
    lines.append("")
    lines.extend(_summary(result))
    if problems:
        lines.append("")
        lines.append(f"{len(problems)} problem(s):")
        lines.extend(f"  - {p.message}" for p in problems)
    else:
        lines.append(
            "proved: the pending migrations apply to the target's data and build the schema file."
        )
    return "\n".join(lines)


def _summary(result: ProveResult) -> list[str]:
    times = result.seconds
    lines = [
        f"time: {times.get('total', 0):.2f} s (copy {times.get('copy', 0):.2f} s, apply "
        f"{times.get('apply', 0):.2f} s, verify {times.get('verify', 0):.2f} s)"
    ]
    longest = result.longest_hold
    if longest is None:
        lines.append("longest ACCESS EXCLUSIVE lock: none taken on a table")
    else:
        hold, s = longest
        lines.append(
            f"longest ACCESS EXCLUSIVE lock: {hold.table} ({hold.rows} rows) for "
            f"{hold.seconds:.3f} s, from {s.where}"
        )
    tables = sorted(result.rows_before.keys() | result.rows_after.keys())
    if tables:
        lines.append("rows per table (before -> after):")
        lines.extend(
            f"  {t}: {_n(result.rows_before.get(t))} -> {_n(result.rows_after.get(t))}"
            for t in tables
        )
    return lines


def _n(count: int | None) -> str:
    return "-" if count is None else str(count)


def render_json(result: ProveResult) -> str:
    document: dict[str, Any] = {
        "version": catalog_report.JSON_VERSION,
        "status": result.status,
        "target": result.target,
        "error": result.error,
        "copy": {"how": result.copy_how, "why": result.copy_why, "database": result.copy_name},
        "applied": list(result.applied),
        "thresholds": {
            "lock_seconds": result.thresholds.lock_seconds,
            "rewrite_rows": result.thresholds.rewrite_rows,
        },
        "statements": [_statement_json(s) for s in result.statements],
        "problems": [
            {"kind": p.kind, "message": p.message, "file": p.file, "line": p.line}
            for p in result.problems
        ]
        if result.error is None
        else [],
        "tables": {
            t: {"before": result.rows_before.get(t), "after": result.rows_after.get(t)}
            for t in sorted(result.rows_before.keys() | result.rows_after.keys())
        },
        "seconds": result.seconds,
        "verify": json.loads(catalog_report.render_json(result.verify)) if result.verify else None,
    }
    longest = result.longest_hold
    document["longest_exclusive_lock"] = (
        None
        if longest is None
        else {
            "table": longest[0].table,
            "seconds": longest[0].seconds,
            "rows": longest[0].rows,
            "statement": longest[1].where,
        }
    )
    if result.error is not None:
        document["message"] = result.error
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def _statement_json(s: StatementRecord) -> dict[str, Any]:
    return {
        "file": s.file,
        "line": s.line,
        "statement": s.first_line,
        "destructive": s.destructive,
        "outside_transaction": s.alone,
        "seconds": s.seconds,
        "locks": [{"relation": rel, "mode": mode} for rel, mode in s.locks],
        "rewrote": s.rewritten,
        "rows": {t: {"before": b, "after": a} for t, (b, a) in s.rows.items()},
        "exclusive_locks": [
            {"table": h.table, "seconds": h.seconds, "rows": h.rows} for h in s.holds
        ],
        "error": s.error,
    }


def render_github(result: ProveResult) -> str:
    if result.error is not None:
        return error_annotation("Migrations not proved", result.error, "")
    problems = result.problems
    if not problems:
        return annotation("notice", "Migrations proved", render_text(result))
    titles = {
        "statement-failed": "Migration fails on real data",
        "rows-lost": "Migration loses rows",
        "long-exclusive-lock": "Long ACCESS EXCLUSIVE lock",
        "table-rewrite": "Table rewrite",
        "schema-drift": "Schema drift after migrations",
    }
    return "\n".join(
        annotation("error", titles[p.kind], p.message, file=p.file, line=p.line) for p in problems
    )
