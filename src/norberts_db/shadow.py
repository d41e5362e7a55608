"""Running a schema or drop script in a throwaway database that shares its server with the target.

``db.verify`` and ``db.check-drop`` build the schema in a new database on the
target's server, inside one transaction they roll back. Roles belong to the
server, so the throwaway database sees the roles the target's own resets
created: a plain ``CREATE ROLE app`` there fails with "already exists", and a
``DROP ROLE app`` fails while the target's objects depend on the role, though
neither would fail on a server of its own. :class:`SharedServer` lets such
statements pass where the role was on the server before the run began:

- the first ``CREATE ROLE`` of a role that exists, and existed before the
  transaction began, is not run; the statements after it use the existing role;
- ``DROP ROLE`` that fails only because other databases use the role is not
  run either, and the role counts as dropped: the next ``CREATE ROLE`` of it
  is not run.

Both are reported as notes. Any other ``CREATE ROLE`` runs, so a role created
twice, or left in place by a drop script and created again, fails as it would
in a reset. Everything a run does to roles is rolled back with its transaction.

check-drop runs several scripts in that one transaction, where a reset would
give each a session or a transaction of its own; :meth:`SharedServer.run`
gives each the settings of a new session, and can check deferred constraints
where COMMIT would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg

from norberts_db import queries
from norberts_db.apply_errors import NOTHING_CHANGED
from norberts_db.cluster_objects import RoleStatement, quoted, role_exists_advice, role_statement
from norberts_db.errors import SqlScriptError
from norberts_db.script_run import Connection, run_script
from norberts_db.sqlfile import SqlScript, Statement

# "role ... cannot be dropped because some objects depend on it"
_DEPENDENT_OBJECTS = "2BP01"
_DETAIL = re.compile(r"^  DETAIL: (.*)$", re.MULTILINE)


@dataclass
class SharedServer:
    """The roles on the server when a run began, and the notes on statements let pass."""

    roles: frozenset[str]
    notes: list[str] = field(default_factory=list)
    # Roles a CREATE ROLE of this run was for, and roles a DROP ROLE let pass counts as gone.
    created: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, conn: Connection) -> SharedServer:
        rows = conn.execute(queries.load("role_names")).fetchall()
        return cls(frozenset(str(row[0]) for row in rows))

    @contextmanager
    def savepoint(self, conn: Connection, *, keep: bool) -> Iterator[None]:
        """A savepoint, kept only with ``keep``; what it did to roles goes when it is undone."""
        state = set(self.created), set(self.dropped)
        try:
            with conn.transaction(force_rollback=not keep):
                yield
        except BaseException:
            self.created, self.dropped = state
            raise
        if not keep:
            self.created, self.dropped = state

    def run(self, conn: Connection, script: SqlScript, *, as_committed: bool = False) -> None:
        """Run ``script`` in the caller's transaction, letting pass what the server shares.

        It starts with the settings of a new session (what the catalog reads
        or earlier scripts SET is reset), and what it sets is reset after it.
        With ``as_committed``, the deferred constraints are then checked as
        COMMIT would check them: a table with checks still pending cannot be
        dropped in the same transaction, as a drop script after it would.
        """
        conn.execute(queries.load("session_reset"))
        try:
            for part in self.parts(conn, script):
                run_script(conn, part)
        except SqlScriptError as exc:
            raise with_role_advice(exc) from None
        conn.execute(queries.load("session_reset"))
        if as_committed:
            try:
                conn.execute(queries.load("deferred_checks_now"))
            except psycopg.errors.IntegrityError as exc:
                message = exc.diag.message_primary or str(exc).strip()
                raise SqlScriptError(
                    f"{script.name}: ERROR at COMMIT: {message}\n{NOTHING_CHANGED} Fix the SQL "
                    "and run it again.",
                    sqlstate=exc.sqlstate,
                    path=script.name,
                ) from None

    def error_of(
        self, conn: Connection, script: SqlScript, *, keep: bool, as_committed: bool = False
    ) -> str | None:
        """:meth:`run` in a savepoint, kept only with ``keep``; the server's error, if any."""
        if as_committed:
            # As in a transaction of its own, whatever an earlier check made immediate.
            # (Deferrable constraints created INITIALLY IMMEDIATE are checked late too.)
            conn.execute(queries.load("deferred_checks_later"))
        try:
            with self.savepoint(conn, keep=keep):
                self.run(conn, script, as_committed=as_committed)
        except SqlScriptError as exc:
            return str(exc)
        return None

    def parts(self, conn: Connection, script: SqlScript) -> Iterator[SqlScript]:
        """``script`` in runs of statements for the caller to execute in order.

        Role statements are handled here, between the runs, so that each is
        judged on the roles that exist once everything before it has run.
        """
        pending: list[Statement] = []
        for statement in script.statements:
            role = role_statement(statement.text)
            if role is None:
                pending.append(statement)
                continue
            if pending:
                yield SqlScript(script.path, tuple(pending))
                pending = []
            if role.verb == "drop":
                self._drop(conn, script, statement, role)
            elif not self._skips_create(conn, script, statement, role):
                yield SqlScript(script.path, (statement,))
        if pending:
            yield SqlScript(script.path, tuple(pending))

    def _skips_create(
        self, conn: Connection, script: SqlScript, statement: Statement, role: RoleStatement
    ) -> bool:
        """Whether to leave out a CREATE ROLE: the first for a role that was on the server
        before the run, or one after a DROP ROLE that was let pass."""
        names = set(role.names)
        if names <= self.dropped:
            self.dropped -= names
            self._note(script, statement, "not run: the DROP ROLE before it was not run either")
            return True
        first = not names & self.created
        self.created |= names
        if not (first and names <= self.roles):
            return False
        row = conn.execute(queries.load("roles_exist"), {"names": list(names)}).fetchone()
        if row is None or not row[0]:
            return False
        self._note(
            script,
            statement,
            f"not run: role {quoted(role.names[0])} exists already (the attributes it gives "
            "the role are not compared)",
        )
        return True

    def _drop(
        self, conn: Connection, script: SqlScript, statement: Statement, role: RoleStatement
    ) -> None:
        try:
            run_script(conn, SqlScript(script.path, (statement,)))
        except SqlScriptError as exc:
            if exc.sqlstate != _DEPENDENT_OBJECTS or not self._used_elsewhere_only(conn, role):
                raise
            self.dropped |= set(role.names)
            detail = _DETAIL.search(str(exc))
            self._note(
                script,
                statement,
                "not run: other databases of the server use the role"
                + (f" ({' '.join(detail[1].split())})" if detail else "")
                + "; resetting one database fails here while another uses the role",
            )

    def _used_elsewhere_only(self, conn: Connection, role: RoleStatement) -> bool:
        """Whether the roles were on the server before, and nothing in this database uses them."""
        if not set(role.names) <= self.roles:
            return False
        row = conn.execute(queries.load("role_uses_here"), {"names": list(role.names)}).fetchone()
        return row is not None and not row[0]

    def _note(self, script: SqlScript, statement: Statement, what: str) -> None:
        first = " ".join(statement.text.split())[:80].rstrip(";")
        note = f"{script.name}:{statement.line}: `{first}` {what}."
        if note not in self.notes:
            self.notes.append(note)


def with_role_advice(error: SqlScriptError) -> SqlScriptError:
    """``error``, with what to do when it says a role exists already."""
    advice = role_exists_advice(str(error))
    if advice is None:
        return error
    before, rolled_back, after = str(error).partition(f"\n{NOTHING_CHANGED}")
    text = f"{before}\n  {advice}{rolled_back}{after}"
    return SqlScriptError(text, sqlstate=error.sqlstate, path=error.path)
