"""The corpus (tests/corpus): each pair, both ways, differs in verify and the diff closes it.

For each direction A -> B: a database holding A and one holding B differ as
``db.verify`` compares them; the migration ``db.diff`` generates from A to B,
applied to A by the migration runner, leaves no difference from B.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from norberts_db.catalog.compare import compare
from norberts_db.conninfo import ConnInfo

from .corpus import CorpusPair, corpus_pairs
from .migration_helpers import CatalogsByText, database_pair, round_trip

PAIRS = corpus_pairs()
CASES = [(way, a, b, pair) for pair in PAIRS for way, a, b in pair.directions()]


@pytest.fixture(scope="module")
def pair_dbs(pg_server: ConnInfo) -> Iterator[tuple[ConnInfo, ConnInfo]]:
    with database_pair(pg_server) as pair:
        yield pair


@pytest.fixture(scope="module")
def catalogs() -> CatalogsByText:
    return CatalogsByText()


@pytest.fixture(scope="module")
def available_extensions(pg_server: ConnInfo) -> frozenset[str]:
    with psycopg.connect(**pg_server.connect_kwargs()) as conn:
        rows = conn.execute("SELECT name FROM pg_available_extensions").fetchall()
    return frozenset(str(row[0]) for row in rows)


def test_the_corpus_has_pairs_of_every_class() -> None:
    classes = {pair.id.split("/")[0] for pair in PAIRS}
    wanted = {"partitions", "routines", "sequences", "roles", "order", "tables"}
    assert wanted <= classes, f"tests/corpus has no pair of {sorted(wanted - classes)}"


@pytest.mark.parametrize(("way", "a", "b", "pair"), CASES, ids=[case[0] for case in CASES])
def test_verify_sees_the_difference_and_the_diff_closes_it(
    pair_dbs: tuple[ConnInfo, ConnInfo],
    catalogs: CatalogsByText,
    server_version_num: int,
    server_has_icu: bool,
    available_extensions: frozenset[str],
    way: str,
    a: str,
    b: str,
    pair: CorpusPair,
) -> None:
    if server_version_num < pair.since:
        pytest.skip(f"the pair needs server_version_num {pair.since} or later")
    if pair.extension and pair.extension not in available_extensions:
        pytest.skip(f"extension {pair.extension} is not available on this server")
    if pair.icu and not server_has_icu:
        pytest.skip("the server was built without ICU")
    result = round_trip(
        pair_dbs,
        a,
        b,
        catalogs=catalogs,
        concurrently=pair.concurrently,
        privileges=pair.privileges,
    )
    source, target = pair_dbs
    seen = compare(
        catalogs.of(b, target, build=False, privileges=pair.privileges).snapshot,
        catalogs.of(a, source, build=False, privileges=pair.privileges).snapshot,
    )
    assert seen, f"{way}: verify sees no difference between A and B"
    assert result.differences == (), f"{way}: {result.differences}\n--- migration:\n{result.sql}"
