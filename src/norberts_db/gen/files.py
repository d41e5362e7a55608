"""The generated files: where each goes, which task writes it, which generator renders it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from norberts_db.gen import docs, drizzle, drop_script
from norberts_db.gen.model import Catalog
from norberts_db.settings import Settings

Renderer = Callable[..., str]


@dataclass(frozen=True)
class Generated:
    """One generated file: ``task`` writes it, to the path of setting ``setting`` by default."""

    name: str
    task: str
    setting: str
    renderer: Renderer

    def default_path(self, settings: Settings) -> Path:
        return Path(getattr(settings, f"{self.setting}_path"))

    def render(self, catalog: Catalog) -> str:
        return self.renderer(catalog, command=f"invoke {self.task}")


GENERATED = (
    Generated("drizzle", "gen.drizzle", "drizzle_schema", drizzle.render),
    Generated("drop-script", "gen.drop-script", "drop_script", drop_script.render),
    Generated("docs", "gen.docs", "schema_docs", docs.render),
)
BY_NAME = {g.name: g for g in GENERATED}
