"""Plans for partitioned tables, from catalogs written by hand (no server)."""

from __future__ import annotations

import pytest

from norberts_db.catalog.model import ObjectKey, Snapshot
from norberts_db.migrations.catalog import Catalog
from norberts_db.migrations.plan import PlanError, plan_migration

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
