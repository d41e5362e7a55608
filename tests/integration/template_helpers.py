"""Template databases per distinct schema, built once per test session and cloned per test.

Creating a database and running a schema in it costs the server several
times what cloning a template costs, and many tests start from the same
schema. ``schema_templates.clone(script)`` gives each test a fresh database
holding ``script``: the first call builds a template from it, later calls
with the same statements copy that template.

``schema_templates.reused(script)`` is for tests that end by resetting their
database and proving with verify that it matches ``script`` again: a test
that got that far says so (``clone.clean_at_end = True``), and the next test
of the same script gets that database instead of a new clone. A test that
fails, or does not say so, has its database dropped as ``clone`` would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from norberts_db import apply
from norberts_db.conninfo import ConnInfo
from norberts_db.sqlfile import SqlScript

from .conftest import MAINTENANCE, unique_db_name


def script_key(script: SqlScript) -> str:
    """The statements of ``script`` as one text: two scripts with the same text build the same."""
    return "\n;\n".join(statement.text for statement in script.statements)


@dataclass
class Clone:
    """A database holding a schema, and whether the test proved it still does at its end."""

    info: ConnInfo
    clean_at_end: bool = False


class SchemaTemplates:
    """The templates of one server, by the statements they were built from."""

    def __init__(self, server: ConnInfo) -> None:
        self.server = server
        self._names: dict[str, str] = {}
        self._kept: dict[str, ConnInfo] = {}

    def template(self, script: SqlScript) -> str:
        """The template holding ``script``, built on first use."""
        if script_key(script) not in self._names:
            name = unique_db_name("tpl")
            MAINTENANCE.create(self.server, name)
            try:
                apply.create(self.server.for_database(name), script)
            except BaseException:
                MAINTENANCE.drop(self.server, name)
                raise
            self._names[script_key(script)] = name
        return self._names[script_key(script)]

    @contextmanager
    def clone(self, script: SqlScript) -> Iterator[ConnInfo]:
        """A new database holding ``script``, dropped afterwards even if the test fails."""
        template = self.template(script)
        name = unique_db_name("t")
        MAINTENANCE.create(self.server, name, template=template)
        try:
            yield self.server.for_database(name)
        finally:
            MAINTENANCE.drop(self.server, name)

    @contextmanager
    def reused(self, script: SqlScript) -> Iterator[Clone]:
        """The database the last test of ``script`` proved clean, or a new clone of it."""
        key = script_key(script)
        info = self._kept.pop(key, None)
        if info is None:
            info = self.server.for_database(unique_db_name("t"))
            MAINTENANCE.create(self.server, info.dbname, template=self.template(script))
        clone = Clone(info)
        try:
            yield clone
        finally:
            if clone.clean_at_end:
                self._kept[key] = info
            else:
                MAINTENANCE.drop(self.server, info.dbname)

    def drop_all(self) -> None:
        for name in [info.dbname for info in self._kept.values()] + list(self._names.values()):
            MAINTENANCE.drop(self.server, name)
        self._kept.clear()
        self._names.clear()


@pytest.fixture(scope="session")
def schema_templates(pg_server: ConnInfo) -> Iterator[SchemaTemplates]:
    templates = SchemaTemplates(pg_server)
    try:
        yield templates
    finally:
        templates.drop_all()
