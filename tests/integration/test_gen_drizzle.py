"""The generated Drizzle schema, proven against Drizzle itself on a real server.

For our schema and for a second one that uses every feature the generator
maps: generate, typecheck strictly with tsc, push with drizzle-kit into an
empty database, and verify that database against the schema file. verify
may report nothing but what the file's header says it cannot represent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from norberts_db.catalog.model import Difference
from norberts_db.conninfo import ConnInfo
from norberts_db.gen import drizzle
from norberts_db.gen.model import Catalog
from norberts_db.gen.reader import build_catalog
from norberts_db.sqlfile import SqlScript, load_script
from norberts_db.verify import render_text, verify_database

from .conftest import SCHEMA_FILE
from .drizzle_helpers import ensure_node_modules, header_items, project_dir, push, typecheck

FEATURES_FILE = Path(__file__).parent / "gen_schemas" / "features.sql"


SCHEMAS = {"project": SCHEMA_FILE, "features": FEATURES_FILE}


@pytest.fixture(scope="module")
def generated_all(pg_server: ConnInfo) -> dict[str, tuple[SqlScript, Catalog, str]]:
    """Each schema file, its catalog and its Drizzle schema: generated once per module."""
    out = {}
    for name, path in SCHEMAS.items():
        schema = load_script(path, what="schema file")
        catalog = build_catalog(pg_server, schema, source=path.name)
        out[name] = schema, catalog, drizzle.render(catalog, command="invoke gen.drizzle")
    return out


@pytest.fixture(scope="module")
def typechecked(
    generated_all: dict[str, tuple[SqlScript, Catalog, str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A folder of every generated schema, ``<name>.ts``, that tsc passed, all in one run."""
    ensure_node_modules()
    folder = project_dir(
        tmp_path_factory.mktemp("drizzle"),
        {name: text for name, (_, _, text) in generated_all.items()},
    )
    typecheck(folder)
    return folder


@pytest.fixture(params=list(SCHEMAS))
def generated(
    request: pytest.FixtureRequest, generated_all: dict[str, tuple[SqlScript, Catalog, str]]
) -> tuple[str, SqlScript, Catalog, str]:
    name = str(request.param)
    return (name, *generated_all[name])


def unexplained(differences: tuple[Difference, ...], items: list[str]) -> list[str]:
    """The differences (or changed attributes) the header does not name."""

    def listed(entry: str) -> bool:
        return any(item == entry or item.startswith(entry + " (") for item in items)

    out = []
    for difference in differences:
        key = f"{difference.kind} {difference.name}"
        if difference.status == "changed":
            out += [
                f"{change.attribute} of {key}"
                for change in difference.changes
                if not listed(f"{change.attribute} of {key}")
            ]
        elif difference.status != "missing" or not listed(key):
            out.append(f"{difference.status} {key}")
    return out


def test_the_drizzle_schema_typechecks_pushes_and_builds_what_the_schema_file_builds(
    generated: tuple[str, SqlScript, Catalog, str], typechecked: Path, scratch_db: ConnInfo
) -> None:
    name, schema, catalog, text = generated
    schemas = sorted({t.schema for t in catalog.tables} | {e.schema for e in catalog.enums})
    push(typechecked, name, scratch_db, schemas)
    result = verify_database(scratch_db, schema)

    assert result.error is None, render_text(result)
    assert unexplained(result.differences, header_items(text)) == [], render_text(result)


def test_values_javascript_would_change_are_written_so_that_they_cannot_change(
    generated_all: dict[str, tuple[SqlScript, Catalog, str]],
) -> None:
    text = generated_all["features"][2]
    # A bigint beyond 2^53 as a string; \s, a backtick and ${ escaped in sql``.
    assert "maxValue: '9007199254740993'" in text
    assert r"sql`nickname ~ '^[^\\s\\u00a0]+$'::text AND nickname !~ '\`'::text" in text
    assert r"nickname <> '\${x}'::text" in text
    # Composite keys keep their declared order, not the columns'.
    assert "primaryKey({ name: 'items_pk', columns: [table.warehouse, table.sku] })" in text
    # An operator class only where it is not the default one.
    assert "table.profile.op('jsonb_path_ops')" in text
    assert "using('gin', table.profile)," in text
    # A foreign key that is also unique is one-to-one; others are one-to-many.
    assert "badges: one(badges)," in text
    assert "movements: many(inventoryMovements, { relationName: 'movements_item_fk' })" in text
    # Enum labels in catalog order (one was added BEFORE another).
    assert "pgEnum('mood', ['sad', 'ok', 'happy'])" in text
    for item in ("function public.touch()", "trigger public.employees.employees_touch_trg"):
        assert item in header_items(text)
