"""Plans for partitioned tables and sequence bounds, from catalogs written by hand."""

from __future__ import annotations

import pytest

from norberts_db.catalog.model import ObjectKey, Snapshot
from norberts_db.migrations.catalog import Catalog
from norberts_db.migrations.ddl_sequences import restart_clause
from norberts_db.migrations.order import order_steps
from norberts_db.migrations.plan import PlanError, plan_migration
from norberts_db.migrations.steps import Step

TABLE = ObjectKey("table", "public.ev")


def _table(partition_key: str | None) -> Catalog:
    attrs = {"partition_key": partition_key} if partition_key else {}
    return Catalog(snapshot=Snapshot({TABLE: attrs}))


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("RANGE (at)", "LIST (kind)", "from RANGE (at) to LIST (kind)"),
        (None, "RANGE (at)", "from none (a plain table) to RANGE (at)"),
        ("RANGE (at)", None, "from RANGE (at) to none (a plain table)"),
    ],
)
def test_a_change_of_partitioning_is_refused_saying_what_changes_and_why(
    old: str | None, new: str | None, says: str
) -> None:
    with pytest.raises(PlanError) as raised:
        plan_migration(_table(old), _table(new))
    message = str(raised.value)
    assert f"table public.ev: its partition key changes {says}" in message
    assert "cannot change a table's partitioning in place" in message
    assert message.endswith("Write this migration by hand.")


def test_attaching_a_partition_index_built_concurrently_follows_its_build() -> None:
    child = ObjectKey("index", "public.ev_1.ev_1_n_idx")
    steps = [
        Step(child, "create", "CREATE INDEX CONCURRENTLY ev_1_n_idx", concurrently=True),
        Step(child, "create", "ALTER INDEX public.ev_n ATTACH PARTITION", late=True),
        Step(ObjectKey("index", "public.ev.ev_n"), "create", "CREATE INDEX ev_n ON ONLY"),
    ]
    ordered = order_steps(steps, source_needs={}, target_needs={})
    assert [s.sql for s in ordered] == [
        "CREATE INDEX ev_n ON ONLY",
        "CREATE INDEX CONCURRENTLY ev_1_n_idx",
        "ALTER INDEX public.ev_n ATTACH PARTITION",
    ]


@pytest.mark.parametrize(
    ("old", "new", "restart"),
    [
        ({"start": "1"}, {"start": "90", "minvalue": "90", "maxvalue": "99"}, " RESTART WITH 90"),
        ({"start": "500"}, {"start": "1", "minvalue": "1", "maxvalue": "50"}, " RESTART WITH 1"),
        ({"start": "5"}, {"start": "1", "minvalue": "1", "maxvalue": "50"}, ""),
    ],
)
def test_a_sequence_restarts_only_when_its_new_bounds_leave_out_where_it_stands(
    old: dict[str, str], new: dict[str, str], restart: str
) -> None:
    clause, destructive = restart_clause(ObjectKey("sequence", "public.s"), old, new)
    assert clause == restart
    assert bool(destructive) == bool(restart)
