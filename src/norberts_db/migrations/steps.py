"""What a plan is made of: steps, each one statement acting on one object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from norberts_db.catalog.model import ObjectKey

# "drop" steps run first, dependents before what they need; "create" steps
# (which also alter and comment) run after, what is needed first; "cleanup"
# steps drop, last, what nothing needs any more once the rest has run (a type
# a column stops using, a function a default stops calling).
Phase = Literal["drop", "create", "cleanup"]


@dataclass(frozen=True)
class Step:
    """One statement (no trailing semicolon) and what the plan needs to know about it.

    ``destructive`` says what data the statement loses, empty when it loses
    none. ``needs`` names objects the statement uses beyond what the catalog
    records as dependencies of ``key``. ``late`` steps run with the
    concurrent index builds, after them (attaching a partition's index built
    concurrently).
    """

    key: ObjectKey
    phase: Phase
    sql: str
    destructive: str = ""
    concurrently: bool = False
    adds_enum_value: bool = False
    needs: tuple[ObjectKey, ...] = ()
    note: str = ""
    late: bool = False


@dataclass(frozen=True)
class Plan:
    """The ordered steps that turn one database into another."""

    steps: tuple[Step, ...] = ()
    source: str = ""
    target: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def destructive(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.destructive)

    def __bool__(self) -> bool:
        return bool(self.steps)
