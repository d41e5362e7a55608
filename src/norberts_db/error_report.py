"""A failed task, reported in the format the task was asked for.

A CI step that runs ``invoke db.verify --json`` parses stdout whatever
happened, so a failure before or during the task (a missing schema file, an
invalid setting, a server that does not answer, an interrupt) prints a JSON
document too: the task's own report with ``status`` ``"error"`` and the
message in ``error`` and ``message``; with ``--format github``, an ``::error``
annotation. The message itself still goes to stderr, for people.

Also here: the last word on an exception nobody expected, which is a bug and
is said to be one, in one line instead of a traceback.
"""

from __future__ import annotations

import json
import os
import re
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from norberts_db.catalog.report import Format
    from norberts_db.catalog.results import DropCheckResult, VerifyResult
    from norberts_db.settings import Settings

Kind = Literal["task", "verify", "check-drop"]
DEBUG_VARIABLE = "NORBERTS_DB_DEBUG"
# What may carry a password in an exception's text: a URL's user info, a key=value string.
_SECRETS = (
    re.compile(r"(?P<keep>://[^:/@\s]*:)[^@\s]*(?=@)"),
    re.compile(r"(?P<keep>password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE),
)


@dataclass
class Failure:
    """What a running task knows so far, to report its failure in its own format.

    ``settings`` is filled in once they are loaded; ``known`` takes any other
    field of the task's success report, for tasks whose report has no
    dedicated shape here.
    """

    fmt: str = "text"
    kind: Kind = "task"
    settings: Settings | None = None
    known: dict[str, Any] = field(default_factory=dict)

    def document(self, message: str) -> str | None:
        """The report for stdout (JSON, or a GitHub annotation), or None in text format."""
        if self.fmt not in ("json", "github"):
            return None
        fmt: Format = "json" if self.fmt == "json" else "github"
        # Loaded only when a failure is reported in a machine format.
        from norberts_db.catalog import report

        if self.kind == "verify":
            return report.render(self._verify(message), fmt)
        if self.kind == "check-drop":
            return report.render(self._check_drop(message), fmt)
        if fmt == "github":
            return report.error_annotation("Task failed", message, "")
        document = {
            **self.known,
            "version": report.JSON_VERSION,
            "status": "error",
            "error": message,
            "message": message,
        }
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)

    def _verify(self, message: str) -> VerifyResult:
        from norberts_db.catalog.results import VerifyResult

        s = self.settings
        schema_file = str(s.schema_path) if s is not None else ""
        return VerifyResult(schema_file=schema_file, database=self._target(), error=message)

    def _check_drop(self, message: str) -> DropCheckResult:
        from norberts_db.catalog.results import DropCheckResult

        s = self.settings
        return DropCheckResult(
            schema_file=str(s.schema_path) if s is not None else "",
            drop_script=str(s.drop_script_path) if s is not None else "",
            server=self._target(),
            error=message,
        )

    def _target(self) -> str:
        """The database the task aimed at, as its success report names it, or "" if unknown."""
        if self.settings is None:
            return ""
        from norberts_db.conninfo import ConnInfo
        from norberts_db.errors import NorbertsDbError
        from norberts_db.servers import wants_external
        from norberts_db.servers.base import LOOPBACK

        s = self.settings
        try:
            if s.url and wants_external(s):
                return ConnInfo.from_url(s.url).redacted()
        except NorbertsDbError:
            return ""
        return ConnInfo(LOOPBACK, s.effective_port, s.user, s.database).redacted()


def debugging() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def unexpected(exc: Exception) -> str:
    """One line for an exception the toolkit did not expect, and what to do about it.

    An OSError names a file or folder the user can look at; anything else is a
    bug, and hiding that would only make it harder to report.
    """
    hint = f"Run it again with {DEBUG_VARIABLE}=1 to see where it happened."
    if isinstance(exc, OSError) and exc.filename is not None:
        problem = exc.strerror or type(exc).__name__
        return (
            f"{exc.filename}: {problem} ({type(exc).__name__}). Check that path, its "
            f"permissions and the settings that name it. {hint}"
        )
    text = scrubbed(str(exc).splitlines()[0] if str(exc) else "")[:300]
    if isinstance(exc, OSError):
        return (
            f"{text or type(exc).__name__} ({type(exc).__name__}). This is most likely the "
            "machine (disk space, permissions, network) rather than the toolkit; if it is not, "
            f"please report it with the command you ran. {hint}"
        )
    return (
        f"unexpected {type(exc).__name__}{': ' + text if text else ''}. This is a bug in "
        f"norberts-db: please report it with the command you ran. {hint}"
    )


def show_traceback(exc: BaseException) -> None:
    """With NORBERTS_DB_DEBUG set, the traceback on stderr; the report itself stays the same."""
    if debugging():
        traceback.print_exception(exc)


def scrubbed(text: str) -> str:
    """``text`` without anything that looks like a password."""
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: m["keep"] + "***", text)
    return text
