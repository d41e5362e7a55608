"""The corpus of schema pairs in ``tests/corpus``: one file per pair, schema A then schema B.

A pair file reads::

    -- What the pair changes, and why it is here (any comment lines).
    -- since: 160000          (optional: the first server_version_num that builds both)
    -- extension: postgres_fdw (optional: skipped where the server does not ship it)
    -- icu: yes               (optional: needs a server built with ICU)
    -- one way: <why>         (optional: the pair is not also run from B to A)
    -- privileges: yes        (optional: owners and grants compared and generated too)
    -- concurrently: yes      (optional: the plan builds indexes with CONCURRENTLY)
    -- a:
    <schema A>
    -- b:
    <schema B>

The folder a file sits in names its class (``partitions``, ``sequences``, ...),
so a failure says which class of change the generator gets wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .conftest import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "tests" / "corpus"

_HEADER = re.compile(r"^--\s*(since|extension|icu|one way|privileges|concurrently):\s*(.*?)\s*$")
_SECTION = re.compile(r"^--\s*(a|b):\s*$", re.MULTILINE)


@dataclass(frozen=True)
class CorpusPair:
    id: str
    a: str
    b: str
    since: int = 0
    extension: str = ""
    icu: bool = False
    both_ways: bool = True
    privileges: bool = False
    concurrently: bool = False

    def directions(self) -> list[tuple[str, str, str]]:
        """(id, from, to) for each way the pair runs."""
        ways = [(f"{self.id}:a->b", self.a, self.b)]
        if self.both_ways:
            ways.append((f"{self.id}:b->a", self.b, self.a))
        return ways


class CorpusError(ValueError):
    """A pair file that does not follow the format above."""


def load_pair(path: Path, root: Path = CORPUS) -> CorpusPair:
    text = path.read_text(encoding="utf-8")
    parts = _SECTION.split(text)
    # parts: [header, "a", A, "b", B]
    if len(parts) != 5 or parts[1] != "a" or parts[3] != "b":
        raise CorpusError(f"{path}: needs one '-- a:' line and then one '-- b:' line")
    options: dict[str, str] = {}
    for line in parts[0].splitlines():
        found = _HEADER.match(line)
        if found:
            options[found.group(1)] = found.group(2)
        elif line.strip() and not line.startswith("--"):
            raise CorpusError(f"{path}: only comment lines may come before '-- a:'")
    if parts[2].strip() == parts[4].strip():
        raise CorpusError(f"{path}: schema A and schema B are the same text")
    return CorpusPair(
        id=path.relative_to(root).with_suffix("").as_posix(),
        a=parts[2].strip() + "\n" if parts[2].strip() else "",
        b=parts[4].strip() + "\n" if parts[4].strip() else "",
        since=int(options.get("since", "0")),
        extension=options.get("extension", ""),
        icu=options.get("icu", "no") == "yes",
        both_ways="one way" not in options,
        privileges=options.get("privileges", "no") == "yes",
        concurrently=options.get("concurrently", "no") == "yes",
    )


def corpus_pairs(root: Path = CORPUS) -> list[CorpusPair]:
    return [load_pair(path, root) for path in sorted(root.glob("*/*.sql"))]
