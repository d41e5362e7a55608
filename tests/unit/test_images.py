"""Finding the Debian mirror for debootstrap in apt's sources, as apt itself reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from norberts_db.base_image import debian_mirror
from norberts_db.errors import ServerError


def apt_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_deb822_sources_give_the_uri_of_the_bookworm_main_entry(tmp_path: Path) -> None:
    sources = """\
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.example.org/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.example.org/debian-security
Suites: bookworm-security
Components: main
"""
    folder = apt_dir(tmp_path, {"sources.list.d/debian.sources": sources})

    assert debian_mirror(folder, "bookworm") == "http://deb.example.org/debian"


def test_one_line_sources_skip_comments_options_and_source_packages(tmp_path: Path) -> None:
    sources = """\
# deb http://commented.example.org/debian bookworm main
deb-src http://source.example.org/debian bookworm main
deb [arch=amd64 signed-by=/etc/keys/x.gpg] http://mirror.example.org/debian bookworm main contrib
"""
    folder = apt_dir(tmp_path, {"sources.list": sources})

    assert debian_mirror(folder, "bookworm") == "http://mirror.example.org/debian"


def test_entries_of_other_suites_components_or_disabled_are_ignored(tmp_path: Path) -> None:
    sources = """\
Types: deb
URIs: http://disabled.example.org/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: http://contrib-only.example.org/debian
Suites: bookworm
Components: contrib non-free

Types: deb
URIs: http://trixie.example.org/debian
Suites: trixie
Components: main

Types: deb deb-src
URIs: https://good.example.org/debian
Suites: bookworm
Components: main
"""
    folder = apt_dir(tmp_path, {"sources.list.d/mixed.sources": sources})

    assert debian_mirror(folder, "bookworm") == "https://good.example.org/debian"


def test_files_apt_does_not_read_are_ignored(tmp_path: Path) -> None:
    folder = apt_dir(
        tmp_path,
        {
            "sources.list.d/old.list.disabled": "deb http://old.example.org/debian bookworm main\n",
            "sources.list.d/z.list": "deb http://read.example.org/debian bookworm main\n",
        },
    )

    assert debian_mirror(folder, "bookworm") == "http://read.example.org/debian"


def test_sources_list_comes_before_the_parts_folder(tmp_path: Path) -> None:
    folder = apt_dir(
        tmp_path,
        {
            "sources.list": "deb http://first.example.org/debian bookworm main\n",
            "sources.list.d/a.list": "deb http://second.example.org/debian bookworm main\n",
        },
    )

    assert debian_mirror(folder, "bookworm") == "http://first.example.org/debian"


def test_no_bookworm_main_source_is_an_error_that_says_what_to_add(tmp_path: Path) -> None:
    folder = apt_dir(tmp_path, {"sources.list": "deb cdrom:[Debian]/ bookworm main\n"})

    with pytest.raises(ServerError, match=r"No apt source on this machine names Debian bookworm"):
        debian_mirror(folder, "bookworm")
