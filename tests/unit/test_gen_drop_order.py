"""The drop order from catalog rows: dependants first, cycles of foreign keys broken by one key."""

from __future__ import annotations

from typing import Any

import pytest

from norberts_db.errors import NorbertsDbError
from norberts_db.gen.drop_order import order

CLASS, CONSTRAINT, TYPE, PROC = 1259, 2606, 1247, 1255


def obj(objid: int, kind: str, name: str, classid: int = CLASS) -> dict[str, Any]:
    return {"classid": classid, "objid": objid, "type": kind, "identity": name}


def dep(
    source: tuple[int, int],
    target: tuple[int, int],
    deptype: str = "n",
    fk: tuple[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "classid": source[0],
        "objid": source[1],
        "refclassid": target[0],
        "refobjid": target[1],
        "deptype": deptype,
        "fk_table": fk[0] if fk else None,
        "fk_name": fk[1] if fk else None,
    }


def test_what_depends_on_an_object_goes_first_and_kinds_stay_together() -> None:
    objects = [
        obj(1, "type", "public.mood", TYPE),
        obj(2, "function", "public.f()", PROC),
        obj(3, "table", "public.a"),
        obj(4, "table", "public.b"),
        obj(5, "view", "public.v"),
    ]
    deps = [
        dep((CLASS, 3), (TYPE, 1)),  # a column of a is a mood
        dep((700, 9), (CLASS, 4), "a"),  # a trigger of b ...
        dep((700, 9), (PROC, 2)),  # ... runs f()
        dep((CONSTRAINT, 8), (CLASS, 3), "a"),  # b's foreign key is a part of b ...
        dep((CONSTRAINT, 8), (CLASS, 4), "a"),
        dep((CONSTRAINT, 8), (CLASS, 3)),  # ... and needs a
        dep((CLASS, 5), (CLASS, 4)),
    ]
    ordered, broken = order(objects, deps)
    names = [o.identity for o in ordered]
    assert names == ["public.v", "public.b", "public.a", "public.f()", "public.mood"]
    assert broken == ()


def test_a_cycle_of_foreign_keys_is_broken_by_as_few_keys_as_it_takes() -> None:
    objects = [obj(1, "table", "public.t1"), obj(2, "table", "public.t2")]
    deps = [
        dep((CONSTRAINT, 10), (CLASS, 1), "a"),
        dep((CONSTRAINT, 10), (CLASS, 2), fk=("public.t1", "t1_fk")),
        dep((CONSTRAINT, 20), (CLASS, 2), "a"),
        dep((CONSTRAINT, 20), (CLASS, 1), fk=("public.t2", "t2_fk")),
    ]
    ordered, broken = order(objects, deps)
    assert broken == (("public.t1", "t1_fk"),)
    # With t1_fk gone, t2 still needs t1.
    assert [o.identity for o in ordered] == ["public.t2", "public.t1"]


def test_a_cycle_no_foreign_key_breaks_is_an_error_naming_the_objects() -> None:
    objects = [obj(1, "function", "public.f()", PROC), obj(2, "function", "public.g()", PROC)]
    deps = [dep((PROC, 1), (PROC, 2)), dep((PROC, 2), (PROC, 1))]
    with pytest.raises(NorbertsDbError, match=r"public\.f\(\), public\.g\(\)"):
        order(objects, deps)
