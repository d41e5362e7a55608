"""Text search parsers, templates, dictionaries and configurations with their mappings.

A configuration's mapping of one token type is an object of its own
(``configuration.token``); a configuration that is created, or made again,
gets all its mappings with it. A dictionary's options change in place.
"""

from __future__ import annotations

import re

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_misc import alter_with_comment
from norberts_db.migrations.planner import Planner

# ``START = public.f(internal,integer)``: the CREATE options take a function's name only.
_SIGNATURE = re.compile(r"(= [^,=()]+)\([^()]*\)")
_KEYWORD = {
    "text search parser": "TEXT SEARCH PARSER",
    "text search template": "TEXT SEARCH TEMPLATE",
    "text search dictionary": "TEXT SEARCH DICTIONARY",
    "text search configuration": "TEXT SEARCH CONFIGURATION",
}
_MAPPING = "text search mapping"


def create_object(p: Planner, key: ObjectKey) -> None:
    definition = _SIGNATURE.sub(r"\1", p.target.attrs(key)["definition"])
    needs = []
    if key.kind == "text search dictionary":
        template = definition.split(",", 1)[0].removeprefix("TEMPLATE = ")
        needs.append(ObjectKey("text search template", template))
    if key.kind == "text search configuration":
        needs.append(ObjectKey("text search parser", definition.removeprefix("PARSER = ")))
    p.add(key, "create", f"CREATE {_KEYWORD[key.kind]} {key.name} ({definition})", needs=needs)
    comment(p, key)
    privileges(p, key, created=True)
    if key.kind == "text search configuration":
        for mapping in sorted(_mappings_of(p, key)):
            _add_mapping(p, mapping, "ADD")


def drop_object(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP {_KEYWORD[key.kind]} {key.name}")


def alter_object(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if "definition" in changed and key.kind == "text search dictionary" and _same_template(p, key):
        found = _options(p.source.attrs(key)["definition"])
        wanted = _options(p.target.attrs(key)["definition"])
        items = [f"{name} = {value}" for name, value in wanted.items() if found.get(name) != value]
        items += [name for name in found if name not in wanted]
        p.add(key, "create", f"ALTER TEXT SEARCH DICTIONARY {key.name} ({', '.join(items)})")
    elif "definition" in changed:
        from norberts_db.migrations.ddl_parts import replace

        replace(p, key)
        return
    alter_with_comment(p, key, changes)


def _options(definition: str) -> dict[str, str]:
    """A dictionary's options (after its TEMPLATE), by name."""
    items = definition.split(", ")[1:]
    return dict(item.split(" = ", 1) for item in items if " = " in item)


def _same_template(p: Planner, key: ObjectKey) -> bool:
    def template(definition: str) -> str:
        return definition.split(", ", 1)[0]

    source, target = p.source.attrs(key), p.target.attrs(key)
    return template(source["definition"]) == template(target["definition"])


# -- mappings -----------------------------------------------------------------------------------


def _configuration(mapping: ObjectKey) -> ObjectKey:
    return ObjectKey("text search configuration", mapping.name.rsplit(".", 1)[0])


def _mappings_of(p: Planner, configuration: ObjectKey) -> list[ObjectKey]:
    return [
        key
        for key in p.target.snapshot.objects
        if key.kind == _MAPPING and _configuration(key) == configuration
    ]


def _add_mapping(p: Planner, key: ObjectKey, verb: str) -> None:
    configuration = _configuration(key)
    token = key.name.rsplit(".", 1)[1]
    dictionaries = p.target.attrs(key)["dictionaries"]
    needs = [configuration]
    needs += [ObjectKey("text search dictionary", d) for d in dictionaries.split(", ")]
    p.add(
        key,
        "create",
        f"ALTER TEXT SEARCH CONFIGURATION {configuration.name} {verb} MAPPING FOR {token} "
        f"WITH {dictionaries}",
        needs=needs,
    )


def _with_configuration(p: Planner, key: ObjectKey) -> bool:
    """Created, or made again, with its configuration."""
    configuration = _configuration(key)
    return p.is_new(configuration) or configuration in p.replaced


def create_mapping(p: Planner, key: ObjectKey) -> None:
    if not _with_configuration(p, key):
        _add_mapping(p, key, "ADD")


def drop_mapping(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    configuration = _configuration(key)
    if p.is_gone(configuration) or configuration in p.replaced:
        return
    token = key.name.rsplit(".", 1)[1]
    p.add(
        key,
        "drop",
        f"ALTER TEXT SEARCH CONFIGURATION {configuration.name} DROP MAPPING FOR {token}",
    )


def alter_mapping(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    if not _with_configuration(p, key):
        _add_mapping(p, key, "ALTER")
