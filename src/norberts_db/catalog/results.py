"""What a verify or a drop-script check found, with the exit code a CI can branch on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from norberts_db.catalog.model import Difference, Status
from norberts_db.sqlfile import SqlScript

# Exit codes, as for migra: 0 no difference, 1 a difference, 2 nothing could be said.
MATCHES = 0
DRIFT = 1
COULD_NOT_VERIFY = 2


def _count(differences: tuple[Difference, ...], status: Status) -> int:
    return sum(1 for difference in differences if difference.status == status)


@dataclass(frozen=True)
class VerifyResult:
    """How a database compares with the schema file (or with another database).

    ``error`` is set when the comparison could not be made at all (an error in
    the schema file, a server that does not answer); an error in an SQL file
    starts with ``file:line:column:``.
    """

    schema_file: str
    database: str
    differences: tuple[Difference, ...] = ()
    objects_compared: int = 0
    error: str | None = None
    seconds: float = 0.0
    # Statements about server-wide objects (roles) that the shadow let pass, and why.
    notes: tuple[str, ...] = ()
    # What either side holds that could not be read, so is neither a match nor a drift.
    not_compared: tuple[str, ...] = ()
    # Used only to point CI annotations at lines of the schema file.
    script: SqlScript | None = field(default=None, compare=False, repr=False)

    @property
    def status(self) -> Literal["matches", "drift", "error"]:
        if self.error is not None:
            return "error"
        return "drift" if self.differences else "matches"

    @property
    def exit_code(self) -> int:
        return {"matches": MATCHES, "drift": DRIFT, "error": COULD_NOT_VERIFY}[self.status]

    def count(self, status: Status) -> int:
        return _count(self.differences, status)


@dataclass(frozen=True)
class DropCheckResult:
    """Whether the drop script runs on an empty database and removes all the schema creates.

    ``leftovers`` compares the empty database (expected) with the database
    after schema and drop script (found): ``unexpected`` objects were left
    behind, ``missing`` ones were removed although an empty database has them.
    """

    schema_file: str
    drop_script: str
    server: str
    empty_run_error: str | None = None
    drop_error: str | None = None
    # The schema failing when run again after the drop script, as the next reset runs it.
    rerun_error: str | None = None
    leftovers: tuple[Difference, ...] = ()
    objects_created: int = 0
    error: str | None = None
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    script: SqlScript | None = field(default=None, compare=False, repr=False)

    @property
    def status(self) -> Literal["clean", "dirty", "error"]:
        if self.error is not None:
            return "error"
        if self.empty_run_error or self.drop_error or self.rerun_error or self.leftovers:
            return "dirty"
        return "clean"

    @property
    def exit_code(self) -> int:
        return {"clean": MATCHES, "dirty": DRIFT, "error": COULD_NOT_VERIFY}[self.status]

    def count(self, status: Status) -> int:
        return _count(self.leftovers, status)
