"""The pieces a plan reads, kept as rows and made mappings on demand."""

from __future__ import annotations

import pytest

from norberts_db.catalog.model import ObjectKey
from norberts_db.migrations.catalog import DetailRows

COLUMN = ObjectKey("column", "public.t.a")


def test_an_object_of_several_queries_has_the_attributes_of_all_its_rows_later_winning() -> None:
    details = DetailRows()
    details.add(("column", "public.t.a"), ("name", "type", "position"), ("public.t.a", "int", 1))
    details.add(("column", "public.t.a"), ("name", "position", "default"), ("public.t.a", 2, "0"))
    assert details[COLUMN] == {"name": "public.t.a", "type": "int", "position": 2, "default": "0"}
    assert details.get(COLUMN) is details[COLUMN]
    assert list(details) == [COLUMN]
    assert len(details) == 1


def test_an_object_without_rows_has_no_details() -> None:
    details = DetailRows()
    details.add(("column", "public.t.a"), ("name",), ("public.t.a",))
    assert details.get(ObjectKey("column", "public.t.b"), {}) == {}
    with pytest.raises(KeyError):
        details[ObjectKey("table", "public.t.a")]
