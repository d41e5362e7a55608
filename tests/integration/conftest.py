"""How integration tests reach PostgreSQL: one server per test session, fresh databases per test.

The server comes from the product's own backends, so the suite exercises them:

- ``NORBERTS_DB_TEST_URL``: a superuser URL of a running server (nothing is started);
- otherwise ``NORBERTS_DB_TEST_BACKEND`` (``auto`` by default, or ``docker`` /
  ``embedded``) starts a throwaway server of ``NORBERTS_DB_PG_VERSION`` on a free
  port, with its own container, volume and state directory, removed at the end.

If no server can be had, the run stops before the first test, failing with
one message that says why and what would provide one: hundreds of skips
would pass for success, and hundreds of errors would bury the reason.
"""

from __future__ import annotations

import contextlib
import gc
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql

from norberts_db import apply, databases, pgbinaries, scram
from norberts_db.connection import connect, server_version
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError
from norberts_db.interrupts import terminate_as_interrupt
from norberts_db.servers import Server, choose_server
from norberts_db.servers._pgdata import SHARED_MEMORY
from norberts_db.servers._serveruser import (
    reachable_binaries,
    server_user,
    unreachable_for_server,
)
from norberts_db.settings import Settings, load_settings
from norberts_db.sqlfile import SqlScript, load_script
from tests.port_holders import free_port

from .kept_session import KeptSession
from .shm_helpers import remove_left_by_dead_postmasters

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = PROJECT_ROOT / "sql" / "norberts_schema.sql"
DROP_FILE = PROJECT_ROOT / "sql" / "drop_all_tables.sql"


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


# A throwaway test server needs no durability, and each test creates and drops
# a database: on a disk file system that churn, not PostgreSQL, costs most of
# the suite's time. So test servers keep their data in memory, without fsync.
TEST_SERVER_OPTIONS = "fsync=off synchronous_commit=off full_page_writes=off"


# A cluster is a thousand small files, and the suite makes and deletes dozens of
# them (projects of the embedded tests, copies of kept clusters, initdb runs). On
# a disk file system, making those inodes can cost the kernel more than
# PostgreSQL's own work: on an ext4 without a journal, the embedded tests spent
# most of their CPU allocating inodes. So the suite's throwaway folders live in
# memory where there is room (Docker gives a container 64 MB of /dev/shm), and
# under /tmp otherwise.
MEMORY_ROOM = 2 * 1024**3


def throwaway_root() -> Path:
    """Where the suite's throwaway folders go: /dev/shm when it has room, else /tmp."""
    if SHARED_MEMORY.is_dir() and shutil.disk_usage(SHARED_MEMORY).free >= MEMORY_ROOM:
        return SHARED_MEMORY
    return Path("/tmp")  # noqa: S108 - mode 1777, which the server user can enter


def reachable_tmpdir(prefix: str) -> Path:
    """A temporary folder an unprivileged server user can enter (pytest's tmp_path cannot)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=throwaway_root()))
    path.chmod(0o755)
    return path


def project_bin_dir(env: dict[str, str]) -> str | None:
    """Server binaries the project already has (system, wheel, or its fetched cache).

    Test servers keep their state in a temporary folder, so the project's own
    cache of fetched binaries (``invoke pg.fetch``, which nox runs) has to be
    named explicitly. Binaries the server user cannot reach are given as the
    run's one copy of them (:func:`reachable_for_tests`).
    """
    major = load_settings(project_root=PROJECT_ROOT, environ=env).pg_version
    if env.get("NORBERTS_DB_PG_BIN_DIR"):
        named = Path(env["NORBERTS_DB_PG_BIN_DIR"])
        if not (named / "postgres").is_file():
            return str(named)  # wrong on purpose, or wrong: the product says which
        found: pgbinaries.PgBinaries | None = pgbinaries.PgBinaries(named, major, str(named))
    else:
        # The folder `invoke pg.fetch` filled, whatever state folder ``env`` gives a test server.
        cache = load_settings(project_root=PROJECT_ROOT).state_path
        found = pgbinaries.find(major, state_dir=cache)
    return str(reachable_for_tests(found).bin_dir) if found else None


# PostgreSQL runs as an unprivileged user when the suite runs as root, and pip and
# `invoke pg.fetch` put the binaries where that user cannot enter (root's home, mode
# 0700). A server then runs a copy of them in its state folder, made once per state
# folder, as hard links where it can. Every test server of the suite has a new
# state folder, in memory, on another file system than the binaries: a 60 MB copy
# per server. So the run makes one copy per installation and names it to every
# test server; test_embedded_server has the test of the copy the product makes.
# Per installation: the run's folder holding its copy, and the binaries in that copy.
_STAGED: dict[Path, tuple[Path, pgbinaries.PgBinaries]] = {}


def reachable_for_tests(binaries: pgbinaries.PgBinaries) -> pgbinaries.PgBinaries:
    """``binaries``, or when the server user cannot reach them, the run's one copy of them."""
    if unreachable_for_server(binaries.bin_dir) is None:
        return binaries
    if binaries.bin_dir not in _STAGED:
        folder = reachable_tmpdir("norberts-db-test-pgbin-")
        staged = reachable_binaries(binaries, server_user(), folder / "stage")
        _STAGED[binaries.bin_dir] = folder, staged
    return _STAGED[binaries.bin_dir][1]


def remove_staged_binaries() -> None:
    for folder, _ in _STAGED.values():
        shutil.rmtree(folder, ignore_errors=True)
    _STAGED.clear()


def test_server_settings(state_dir: Path, **overrides: object) -> Settings:
    """Settings for a throwaway server of the session's major, isolated from the dev server."""
    env = {k: v for k, v in os.environ.items() if k.startswith("NORBERTS_DB_")}
    env.pop("NORBERTS_DB_URL", None)
    tag = f"{os.getpid()}-{worker_id()}"
    defaults: dict[str, object] = {
        "backend": os.environ.get("NORBERTS_DB_TEST_BACKEND", "auto"),
        "port": free_port(),
        "container_name": f"norberts-db-test-pg{{major}}-{tag}",
        "volume_name": f"norberts-db-test-pg{{major}}-{tag}-data",
        "state_dir": str(state_dir),
        "database": "norberts_test",
        "ready_timeout": 120,
        "pg_bin_dir": project_bin_dir(env),
        "server_options": TEST_SERVER_OPTIONS,
    }
    defaults.update(overrides)
    return load_settings(project_root=PROJECT_ROOT, environ=env, **defaults)


def create_memory_volume(name: str) -> None:
    """A named Docker volume backed by tmpfs, which the docker backend then reuses."""
    from norberts_db.servers.docker_engine import engine

    with engine() as client:
        client.volumes.create(
            name,
            driver="local",
            driver_opts={"type": "tmpfs", "device": "tmpfs", "o": "size=4g"},
            labels={"org.norberts-db.test": "true"},
        )


def remove_volume(name: str) -> None:
    """Remove a volume the tests made; the backend keeps volumes it did not create."""
    from docker.errors import NotFound

    from norberts_db.servers.docker_engine import engine

    with engine() as client, contextlib.suppress(NotFound):
        client.volumes.get(name).remove(force=True)


# Every connection the suite opens logs in with SCRAM, and the client derives
# the key from the password with as many rounds as the stored verifier names:
# PostgreSQL's 4096 cost a few milliseconds of CPU per connection, thousands of
# times a run. The throwaway server's superuser gets a verifier of one round:
# the same SCRAM login, without the key stretching no test needs.
CHEAP_SCRAM_ROUNDS = 1


def make_logins_cheap(info: ConnInfo) -> None:
    """Store the superuser's password with a one-round verifier (sent hashed, never in clear)."""
    stored = None if info.password is None else scram.verifier(info.password, CHEAP_SCRAM_ROUNDS)
    if stored is None:
        return
    with connect(info, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(info.user), sql.Literal(stored)
            )
        )


class Maintenance:
    """One autocommit connection to the maintenance database for the fixtures' own DDL.

    The fixtures create and drop a database for most tests; a connection of
    their own per statement would be two logins more per test. The connection
    is opened on first use and opened again after any failure (:class:`KeptSession`).
    """

    def __init__(self) -> None:
        self._session: KeptSession | None = None

    def execute(self, server: ConnInfo, statement: sql.Composed) -> None:
        maintenance = server.for_database(databases.MAINTENANCE_DB)
        if self._session is None or self._session.info != maintenance:
            self.close()
            self._session = KeptSession(maintenance)
        self._session.use(lambda conn: conn.execute(statement))

    def create(self, server: ConnInfo, name: str, *, template: str | None = None) -> None:
        """``databases.create_database`` on the held connection."""
        self.execute(server, databases.create_statement(name, template=template))

    def drop(self, server: ConnInfo, name: str) -> None:
        """``databases.drop_database`` on the held connection."""
        self.execute(server, databases.drop_statement(name))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        self._session = None


MAINTENANCE = Maintenance()


class SessionServer:
    """The one server of a test session, started on first use and stopped at the end.

    It starts when the report header is written, so the header can show the
    server's real version, or else when the first test needs it.
    """

    def __init__(self) -> None:
        self.conninfo: ConnInfo | None = None
        self.version = ""
        self.problem: str | None = None
        self._server: Server | None = None
        self._state_dir: Path | None = None
        self._started = False

    @property
    def started_here(self) -> bool:
        """Whether the suite started this server (not one NORBERTS_DB_TEST_URL names)."""
        return self._server is not None

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        url = os.environ.get("NORBERTS_DB_TEST_URL")
        try:
            if url:
                info = ConnInfo.from_url(url, source="NORBERTS_DB_TEST_URL")
                self.conninfo = info.for_database(databases.MAINTENANCE_DB)
                self.version = server_version(self.conninfo)
                return
            self._state_dir = reachable_tmpdir("norberts-db-test-")
            choice = choose_server(test_server_settings(self._state_dir))
            self._server = choice.server
            if self._server.kind == "docker":
                create_memory_volume(self._server.settings.volume)
            version = self._server.up().version
            self.version = f"{version} ({self._server.describe()}; {choice.reason})"
            self.conninfo = self._server.conninfo.for_database(databases.MAINTENANCE_DB)
            make_logins_cheap(self.conninfo)
        except NorbertsDbError as exc:
            self.problem = str(exc)

    def stop(self) -> None:
        MAINTENANCE.close()
        if self._server is not None:
            with contextlib.suppress(NorbertsDbError):
                self._server.down(volumes=True)
            if self._server.kind == "docker":
                remove_volume(self._server.settings.volume)
        if self._state_dir is not None:
            shutil.rmtree(self._state_dir, ignore_errors=True)


SESSION_SERVER = SessionServer()
# pytest's own code for a run that was set up wrongly for what it was asked to do.
NO_SERVER_EXIT = pytest.ExitCode.USAGE_ERROR


def stop_without_server() -> NoReturn:
    """End the run, failing, with why no server could be had and what would provide one."""
    major = os.environ.get("NORBERTS_DB_PG_VERSION", "18")
    pytest.exit(
        f"no PostgreSQL {major} server for the integration tests: {SESSION_SERVER.problem}\n"
        f"`invoke pg.fetch --pg {major}` provides server binaries (nox runs it itself); "
        "NORBERTS_DB_TEST_URL names a running server to use instead.",
        returncode=NO_SERVER_EXIT,
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    SESSION_SERVER.start()
    if SESSION_SERVER.problem is not None:
        stop_without_server()
    return [f"norberts_db: PostgreSQL {SESSION_SERVER.version}"]


# Python ends on SIGTERM without cleaning up, and SIGTERM is how nox stops a session
# (and a CI runner a job): the session's server would outlive the run. Within the
# run it stops the tests as Ctrl-C does, so pytest_unconfigure still removes it.
SIGNALS = contextlib.ExitStack()


# The embedded servers the tests make keep their first cluster here, so later ones
# are copies of it rather than new initdb runs (norberts_db.servers._cluster_cache).
# One folder per run, made when it starts and removed at its end (importing this
# module, as the migration benchmark does, makes nothing): the user's own cache is
# left alone. The tests of initdb itself turn the cache off.
CLUSTER_CACHE = throwaway_root() / f"norberts-db-test-clusters-{secrets.token_hex(6)}"


# What postmasters killed during the run left in /dev/shm is removed at its end.
RUN_STARTED = time.time()


def pytest_configure(config: pytest.Config) -> None:
    SIGNALS.enter_context(terminate_as_interrupt())
    CLUSTER_CACHE.mkdir(mode=0o700)
    os.environ.setdefault("NORBERTS_DB_CLUSTER_CACHE", str(CLUSTER_CACHE))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the collector from walking, again and again, what lives for the whole run.

    Modules, test items and their parameters are alive to the end; every full
    collection of the cyclic garbage collector would traverse them all.
    ``gc.freeze`` sets them aside, and garbage made later is collected as before.
    """
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    try:
        SESSION_SERVER.stop()
    finally:
        SIGNALS.close()
        shutil.rmtree(CLUSTER_CACHE, ignore_errors=True)
        remove_staged_binaries()
        remove_left_by_dead_postmasters(RUN_STARTED)


@pytest.fixture(scope="session")
def pg_server() -> ConnInfo:
    """The maintenance database (``postgres``) of the session's server, as a superuser."""
    SESSION_SERVER.start()
    if SESSION_SERVER.conninfo is None:
        stop_without_server()
    return SESSION_SERVER.conninfo


@pytest.fixture(scope="session")
def server_has_icu(pg_server: ConnInfo) -> bool:
    """Whether the server was built with ICU: some builds of the embedded binaries are not.

    Asked by making an ICU collation and rolling it back: the catalog of a build
    without ICU still lists initdb's ICU collation ``unicode``.
    """
    with psycopg.connect(**pg_server.connect_kwargs()) as conn:
        try:
            with conn.transaction(force_rollback=True):
                conn.execute(
                    "CREATE COLLATION public.norberts_icu_probe (provider = icu, locale = 'und')"
                )
        except psycopg.errors.FeatureNotSupported:
            return False
    return True


@pytest.fixture(scope="session")
def server_version_num(pg_server: ConnInfo) -> int:
    with psycopg.connect(**pg_server.connect_kwargs()) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(str(row[0]))


@pytest.fixture(scope="session")
def project_schema() -> SqlScript:
    return load_script(SCHEMA_FILE, what="schema file")


@pytest.fixture(scope="session")
def project_drop_script() -> SqlScript:
    return load_script(DROP_FILE, what="drop script")


def unique_db_name(prefix: str) -> str:
    return f"{prefix}_{worker_id()}_{secrets.token_hex(4)}"


@pytest.fixture
def scratch_db(pg_server: ConnInfo) -> Iterator[ConnInfo]:
    """A fresh, empty database, dropped after the test even if it fails."""
    name = unique_db_name("t")
    MAINTENANCE.create(pg_server, name)
    try:
        yield pg_server.for_database(name)
    finally:
        MAINTENANCE.drop(pg_server, name)


@pytest.fixture(scope="session")
def schema_template(pg_server: ConnInfo, project_schema: SqlScript) -> Iterator[str]:
    """A template database built once per session (and xdist worker) from the schema file.

    Nothing stays connected to it, because ``CREATE DATABASE ... TEMPLATE``
    refuses to copy a database that has other sessions.
    """
    name = unique_db_name("tpl")
    MAINTENANCE.create(pg_server, name)
    try:
        apply.create(pg_server.for_database(name), project_schema)
        yield name
    finally:
        MAINTENANCE.drop(pg_server, name)


@contextlib.contextmanager
def clone_of(pg_server: ConnInfo, template: str, prefix: str) -> Iterator[ConnInfo]:
    """A new database copied from ``template``, dropped at the end of the block."""
    name = unique_db_name(prefix)
    MAINTENANCE.create(pg_server, name, template=template)
    try:
        yield pg_server.for_database(name)
    finally:
        MAINTENANCE.drop(pg_server, name)


@pytest.fixture
def schema_db(pg_server: ConnInfo, schema_template: str) -> Iterator[ConnInfo]:
    """A fresh database holding the project schema, cloned from the template in milliseconds.

    Use it in any test that writes: every test gets its own copy, and it is
    dropped afterwards, also when the test fails.
    """
    with clone_of(pg_server, schema_template, "t") as info:
        yield info


@pytest.fixture(scope="module")
def module_schema_db(pg_server: ConnInfo, schema_template: str) -> Iterator[ConnInfo]:
    """One database holding the project schema for a whole module, dropped after it.

    For modules whose tests only add rows of their own (unique keys, no counts,
    no deletes) and read them back: each test sees the schema as the file
    makes it, whatever rows the tests before it added. Modules whose tests
    count or delete rows connect with ``schema_helpers.connect_emptied``,
    which empties every table first.
    """
    with clone_of(pg_server, schema_template, "m") as info:
        yield info


@pytest.fixture(autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Every task process a test started ends with the test, its pipes closed."""
    yield
    from .safety_helpers import reap_processes

    reap_processes()
