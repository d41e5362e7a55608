"""Template databases per distinct schema, built once per test session and cloned per test.

Creating a database and running a schema in it costs the server several
times what cloning a template costs, and many tests start from the same
schema. ``schema_templates.clone(script)`` gives each test a fresh database
holding ``script``: the first call builds a template from it, later calls
with the same statements copy that template.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from norberts_db import apply
from norberts_db.conninfo import ConnInfo
from norberts_db.sqlfile import SqlScript

from .conftest import MAINTENANCE, unique_db_name


def script_key(script: SqlScript) -> str:
    """The statements of ``script`` as one text: two scripts with the same text build the same."""
    return "\n;\n".join(statement.text for statement in script.statements)


class SchemaTemplates:
    """The templates of one server, by the statements they were built from."""

    def __init__(self, server: ConnInfo) -> None:
        self.server = server
        self._names: dict[str, str] = {}

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

    def drop_all(self) -> None:
        for name in self._names.values():
            MAINTENANCE.drop(self.server, name)
        self._names.clear()


@pytest.fixture(scope="session")
def schema_templates(pg_server: ConnInfo) -> Iterator[SchemaTemplates]:
    templates = SchemaTemplates(pg_server)
    try:
        yield templates
    finally:
        templates.drop_all()
