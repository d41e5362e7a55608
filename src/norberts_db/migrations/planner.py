"""The state a plan is built in, shared by the DDL writers of every object kind.

A :class:`Planner` holds both catalogs (``source``: the database as it is;
``target``: as it should be) and collects steps. DDL writers ask it what
happens to other objects (is this table new? is it going away?) so that a
table's parts are created with the table, and dropped with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from norberts_db.catalog.model import CHILD_KINDS, ObjectKey
from norberts_db.errors import NorbertsDbError
from norberts_db.migrations.catalog import Catalog, Edge
from norberts_db.migrations.quoting import parent_of
from norberts_db.migrations.steps import Phase, Step


class PlanError(NorbertsDbError):
    """A difference the generator cannot turn into safe statements; the message says why."""

    exit_code = 2


@dataclass(frozen=True)
class PlanOptions:
    """``concurrently``: build indexes of existing tables with CREATE INDEX CONCURRENTLY.

    ``privileges``: also make owners and grants match.

    ``connect_subscriptions``: enable the subscriptions the schema wants
    enabled, whose workers then connect to their publishers; without it a
    migration never connects anywhere.
    """

    concurrently: bool = False
    privileges: bool = False
    connect_subscriptions: bool = False


@dataclass
class Planner:
    source: Catalog
    target: Catalog
    options: PlanOptions = field(default_factory=PlanOptions)
    steps: list[Step] = field(default_factory=list)
    # Objects this plan drops (and does not create again), and drops and creates again.
    dropped: set[ObjectKey] = field(default_factory=set)
    replaced: set[ObjectKey] = field(default_factory=set)
    # Columns whose type changes in place: views and policies on them are rebuilt.
    retyped: set[ObjectKey] = field(default_factory=set)
    # Columns whose default this plan already drops and sets again.
    defaults_reset: set[ObjectKey] = field(default_factory=set)
    # Objects that differ in place (the comparison's "changed").
    altered: set[ObjectKey] = field(default_factory=set)
    # Columns converted by an enum's re-creation (they need no other type change).
    converted: set[ObjectKey] = field(default_factory=set)
    _dependents: dict[ObjectKey, list[Edge]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._dependents = defaultdict(list)
        for edge in self.source.edges:
            self._dependents[edge.referenced].append(edge)

    def add(
        self,
        key: ObjectKey,
        phase: Phase,
        sql: str,
        *,
        destructive: str = "",
        concurrently: bool = False,
        adds_enum_value: bool = False,
        needs: Iterable[ObjectKey] = (),
        note: str = "",
        late: bool = False,
    ) -> None:
        self.steps.append(
            Step(
                key=key,
                phase=phase,
                sql=sql.strip().rstrip(";").rstrip(),
                destructive=destructive,
                concurrently=concurrently,
                adds_enum_value=adds_enum_value,
                needs=tuple(needs),
                note=note,
                late=late,
            )
        )

    # -- what happens to other objects --------------------------------------------------------

    def is_new(self, key: ObjectKey) -> bool:
        return self.target.has(key) and not self.source.has(key)

    def is_gone(self, key: ObjectKey) -> bool:
        return self.source.has(key) and not self.target.has(key)

    def parent(self, key: ObjectKey, catalog: Catalog) -> ObjectKey:
        """The table or domain a part belongs to, as named in ``catalog``."""
        name = parent_of(key.name)
        domain = ObjectKey("domain", name)
        return domain if catalog.has(domain) else ObjectKey("table", name)

    def goes_with_parent(self, key: ObjectKey) -> bool:
        """A part of a table that this plan drops: DROP TABLE takes it along.

        Not a foreign key: it ties two tables, and dropping it first lets
        tables that refer to each other be dropped in any order.
        """
        if key.kind == "constraint" and self.source.attrs(key).get("type") == "foreign key":
            return False
        return key.kind in CHILD_KINDS and self.is_gone(self.parent(key, self.source))

    def comes_with_parent(self, key: ObjectKey) -> bool:
        """A part of a table that this plan creates."""
        return key.kind in CHILD_KINDS and self.is_new(self.parent(key, self.target))

    # -- dependencies -------------------------------------------------------------------------

    def dependents(self, key: ObjectKey) -> list[Edge]:
        """Edges of the source whose referenced object is ``key``."""
        return self._dependents.get(key, [])

    def uses(self, key: ObjectKey, catalog: Catalog) -> list[ObjectKey]:
        return [edge.referenced for edge in catalog.edges if edge.dependent == key]


def needs_map(catalog: Catalog) -> dict[ObjectKey, list[ObjectKey]]:
    """Each object and the objects it needs."""
    found: dict[ObjectKey, list[ObjectKey]] = defaultdict(list)
    for edge in catalog.edges:
        found[edge.dependent].append(edge.referenced)
    return found
