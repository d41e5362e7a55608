"""Which network a dev container runs on: the setting, its ``auto`` default, the engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import docker
import pytest

from norberts_db.servers.docker_checks import chosen_network, lacks_bridge
from norberts_db.settings import load_settings


@dataclass(frozen=True)
class _Network:
    name: str


class _Networks:
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def list(self, names: list[str]) -> list[_Network]:
        # As the engine filters: by substring of the name.
        return [_Network(n) for n in self.names if any(part in n for part in names)]


class _Engine:
    def __init__(self, *networks: str) -> None:
        self.networks = _Networks(networks)


def engine_with(*networks: str) -> docker.DockerClient:
    return cast(docker.DockerClient, _Engine(*networks))


def settings(tmp_path: Path, **values: Any) -> Any:
    return load_settings(project_root=tmp_path, environ={}, **values)


def test_auto_is_the_default_and_takes_the_bridge_where_the_engine_has_one(
    tmp_path: Path,
) -> None:
    s = settings(tmp_path)
    assert s.network == "auto"
    assert chosen_network(engine_with("bridge", "host", "none"), s, None) == ("bridge", "")


@pytest.mark.parametrize("networks", [("host", "none"), ("my-bridge", "host")])
def test_auto_takes_the_host_network_where_the_engine_has_no_bridge_and_says_so(
    tmp_path: Path, networks: tuple[str, ...]
) -> None:
    network, note = chosen_network(engine_with(*networks), settings(tmp_path), None)

    assert network == "host"
    assert "has no bridge network, so the container runs on the host network" in note
    assert "listening on 127.0.0.1 only" in note


@pytest.mark.parametrize("made_with", ["bridge", "host"])
@pytest.mark.parametrize("networks", [("bridge", "host"), ("host",)])
def test_auto_keeps_the_network_an_existing_container_was_made_with(
    tmp_path: Path, made_with: str, networks: tuple[str, ...]
) -> None:
    chosen = chosen_network(engine_with(*networks), settings(tmp_path), made_with)
    assert chosen == (made_with, "")


@pytest.mark.parametrize("network", ["bridge", "host"])
def test_a_network_that_is_set_is_kept_whatever_the_engine_has(
    tmp_path: Path, network: str
) -> None:
    s = settings(tmp_path, network=network)
    assert chosen_network(engine_with("host"), s, "host" if network == "bridge" else None) == (
        network,
        "",
    )
    # Only an explicit bridge on an engine without one is a problem to report.
    assert lacks_bridge(engine_with("host"), s) is (network == "bridge")
    assert lacks_bridge(engine_with("bridge", "host"), s) is False
