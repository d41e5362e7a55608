"""Every setting has a type and bounds, whatever source its value comes from.

A value from pyproject.toml is typed (TOML), a variable or a flag is text.
Either way a wrong value is one SettingsError that names the source, and a
right one arrives with the field's own type.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from norberts_db.errors import SettingsError
from norberts_db.settings import Settings, load_settings
from norberts_db.settings_schema import SPECS
from norberts_db.settings_values import MAX_NAME_BYTES

NUMERIC = (
    "port",
    "pg_version",
    "ready_timeout",
    "lock_timeout",
    "statement_timeout",
    "prove_lock_threshold",
    "prove_rewrite_rows",
)
STRINGS = ("backend", "network", "image", "user", "database", "server_options")
PATHS = (
    "schema",
    "drop_script",
    "seed",
    "drizzle_schema",
    "schema_docs",
    "state_dir",
    "pg_bin_dir",
)
PYPROJECT_KEYS = sorted(name for name, spec in SPECS.items() if spec.in_pyproject)
VARIABLE_KEYS = sorted(SPECS)


def toml_value(value: object) -> str:
    """``value`` written as TOML (the standard library reads TOML but does not write it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int | str):
        # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def project(tmp_path: Path, lines: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(f"[tool.norberts_db]\n{lines}\n", encoding="utf-8")
    return tmp_path


def from_pyproject(tmp_path: Path, key: str, value: object) -> Settings:
    return load_settings(project(tmp_path, f"{key} = {toml_value(value)}"), environ={})


def where(tmp_path: Path, key: str) -> str:
    return f"[tool.norberts_db] {key} in {tmp_path / 'pyproject.toml'}: "


# -- typed values from pyproject.toml -----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("lock_timeout", True),
        ("statement_timeout", False),
        ("ready_timeout", True),
        ("port", True),
        ("pg_version", True),
        ("port", "5432"),
        ("port", 5432.0),
        ("pg_version", "16"),
        ("lock_timeout", "2"),
        ("lock_timeout", math.nan),
        ("statement_timeout", math.inf),
        ("lock_timeout", -1),
        ("statement_timeout", 1e12),
        ("ready_timeout", 0),
        ("ready_timeout", 1e9),
        ("port", 0),
        ("port", 70000),
        ("backend", 1),
        ("backend", "Docker"),
        ("network", True),
        ("image", ["postgres:18"]),
        ("image", "postgres:{maj}"),
        ("image", "postgres 18"),
        ("image", "postgres:{major"),
        ("container_name", "my container"),
        ("volume_name", "{0}"),
        ("user", ""),
        ("user", 5),
        ("database", "d" * (MAX_NAME_BYTES + 1)),
        ("schema", 5),
        ("schema", ""),
        ("state_dir", True),
        ("pg_bin_dir", ["/usr/lib"]),
        ("server_options", 1),
        ("server_options", "fsync = off"),
    ],
)
def test_a_wrong_value_in_pyproject_is_refused_naming_the_key_and_the_file(
    tmp_path: Path, key: str, value: object
) -> None:
    with pytest.raises(SettingsError) as caught:
        from_pyproject(tmp_path, key, value)

    assert str(caught.value).startswith(where(tmp_path, key)), caught.value


def test_a_toml_boolean_timeout_is_not_taken_for_one_second_or_no_limit(tmp_path: Path) -> None:
    for key, value in (("lock_timeout", "true"), ("statement_timeout", "false")):
        with pytest.raises(SettingsError, match=f"{value} is not a valid {key.replace('_', ' ')}"):
            load_settings(project(tmp_path, f"{key} = {value}"), environ={})


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("lock_timeout", 2, 2.0),
        ("statement_timeout", 0, 0.0),
        ("ready_timeout", 0.5, 0.5),
        ("port", 5432, 5432),
        ("pg_version", 16, 16),
        ("image", "registry.example:5000/team/pg:{major}-alpine", None),
        ("database", '"; DROP TABLE users; --', None),
    ],
)
def test_a_right_value_in_pyproject_arrives_with_the_field_type(
    tmp_path: Path, key: str, value: object, expected: object
) -> None:
    found = getattr(from_pyproject(tmp_path, key, value), key)

    assert found == (value if expected is None else expected)
    assert type(found) is type(value if expected is None else expected)


# -- text from variables and flags --------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NORBERTS_DB_LOCK_TIMEOUT", "true"),
        ("NORBERTS_DB_STATEMENT_TIMEOUT", "-0.5"),
        ("NORBERTS_DB_STATEMENT_TIMEOUT", "1e400"),
        ("NORBERTS_DB_READY_TIMEOUT", "0"),
        ("NORBERTS_DB_PORT", "5432.0"),
        ("NORBERTS_DB_PORT", "0x10"),
        ("NORBERTS_DB_PG_VERSION", "eighteen"),
        ("NORBERTS_DB_IMAGE", "postgres:{major} --privileged"),
        ("NORBERTS_DB_CONTAINER_NAME", "-leading-dash"),
    ],
)
def test_a_wrong_value_in_a_variable_is_refused_naming_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path, environ={variable: value})

    assert str(caught.value).startswith(f"{variable}: "), caught.value


def test_text_values_are_parsed_into_the_field_types(tmp_path: Path) -> None:
    env = {
        "NORBERTS_DB_PORT": " 5499 ",
        "NORBERTS_DB_PG_VERSION": "16",
        "NORBERTS_DB_LOCK_TIMEOUT": "2.5",
        "NORBERTS_DB_STATE_DIR": str(tmp_path / "state"),
    }
    s = load_settings(tmp_path, environ=env)

    assert (s.port, s.pg_version, s.lock_timeout) == (5499, 16, 2.5)
    assert s.state_dir == tmp_path / "state"


def test_a_flag_value_is_refused_naming_the_flag(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^--pg: PostgreSQL 99 is not supported"):
        load_settings(tmp_path, environ={}, pg_version="99")
    with pytest.raises(SettingsError, match=r"^--port: 'abc' is not a valid port"):
        load_settings(tmp_path, environ={}, port="abc")


def test_a_misspelt_variable_is_refused_instead_of_ignored(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"NORBERTS_DB_PROT is not a setting.*NORBERTS_DB_PORT"):
        load_settings(tmp_path, environ={"NORBERTS_DB_PROT": "5432"})


def test_variables_of_other_tools_and_of_the_tests_are_left_alone(tmp_path: Path) -> None:
    env = {
        "NORBERTS_DB_TEST_URL": "x",
        "NORBERTS_DB_CONFIRM_REMOTE": "db",
        "NORBERTS_DB_XYZZY": "1",
        "NORBERTS_DB_PG_VERSIONS": "15 16",
    }

    assert load_settings(tmp_path, environ=env).backend == "auto"


# -- the retired host setting -------------------------------------------------------------------


def test_the_retired_host_setting_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"'host' is no longer a setting.*127\.0\.0\.1.*URL"):
        load_settings(project(tmp_path / "a", 'host = "127.0.0.1"'), environ={})
    with pytest.raises(SettingsError, match=r"^NORBERTS_DB_HOST: 'host' is no longer a setting"):
        load_settings(tmp_path / "b", environ={"NORBERTS_DB_HOST": "10.0.0.5"})


def test_the_project_pyproject_sets_nothing_the_settings_do_not_know() -> None:
    root = Path(__file__).resolve().parents[2]

    assert load_settings(root, environ={}).backend == "auto"


# -- pyproject.toml itself ----------------------------------------------------------------------


def test_a_pyproject_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.norberts_db]\nbackend = "caf\xe9"\n')

    with pytest.raises(SettingsError, match=r"pyproject.toml:2: not valid UTF-8.*save it as UTF-8"):
        load_settings(tmp_path, environ={})


def test_finding_the_project_does_not_trip_over_a_pyproject_that_is_not_utf8(
    tmp_path: Path,
) -> None:
    from norberts_db.settings import find_project_root

    (tmp_path / "pyproject.toml").write_bytes(b"[tool.norberts_db]\n# \xff\n")

    assert find_project_root(tmp_path) == tmp_path.resolve()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[tool.norberts_db\n", "not valid TOML"),
        ("tool = 5\n", r"\[tool.norberts_db\] must be a table"),
        ("[tool]\nnorberts_db = 5\n", r"\[tool.norberts_db\] must be a table"),
        ("[tool.norberts_db]\nprot = 5\n", "unknown setting 'prot'.*Did you mean 'port'"),
        ("[tool.norberts_db]\nurl = 'postgresql://x'\n", "unknown setting 'url'.*a secret"),
    ],
)
def test_a_broken_pyproject_is_one_message_naming_the_file(
    tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")

    with pytest.raises(SettingsError, match=expected) as caught:
        load_settings(tmp_path, environ={})

    assert str(tmp_path / "pyproject.toml") in str(caught.value)


def test_a_pyproject_that_is_a_directory_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").mkdir()

    with pytest.raises(SettingsError, match=r"pyproject\.toml is a directory"):
        load_settings(tmp_path, environ={})


# -- the state directory and the password file --------------------------------------------------


def test_a_state_dir_that_is_a_file_is_refused_naming_the_setting(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("", encoding="utf-8")
    for state_dir in (tmp_path / "state", tmp_path / "state" / "below"):
        with pytest.raises(SettingsError, match=r"^NORBERTS_DB_STATE_DIR: .* is a file"):
            load_settings(tmp_path, environ={"NORBERTS_DB_STATE_DIR": str(state_dir)})


def test_a_state_dir_that_cannot_be_written_is_refused_naming_the_setting(
    tmp_path: Path,
) -> None:
    s = load_settings(tmp_path, environ={"NORBERTS_DB_STATE_DIR": "/proc/norberts-db-state"})

    with pytest.raises(SettingsError, match=r"^NORBERTS_DB_STATE_DIR: .*cannot be created"):
        s.dev_password()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.mkdir(), "Is a directory"),
        (lambda p: p.write_bytes(b"\xff\xfe"), "not UTF-8"),
        (lambda p: p.write_text("\n", encoding="utf-8"), "it is empty"),
    ],
)
def test_a_password_file_that_cannot_be_used_is_named_with_what_to_do(
    tmp_path: Path, make: object, reason: str
) -> None:
    assert callable(make)
    (tmp_path / ".norberts_db").mkdir()
    make(tmp_path / ".norberts_db" / "password")
    s = load_settings(tmp_path, environ={})

    with pytest.raises(SettingsError, match=f"password.*cannot be read.*{reason}") as caught:
        s.dev_password()

    assert "NORBERTS_DB_PASSWORD" in str(caught.value)


def test_a_generated_password_is_kept_with_mode_0600(tmp_path: Path) -> None:
    s = load_settings(tmp_path, environ={})

    first = s.dev_password()

    assert first == s.dev_password()
    assert (tmp_path / ".norberts_db" / "password").stat().st_mode & 0o777 == 0o600


# -- properties over every setting --------------------------------------------------------------

NO_SURROGATES = st.characters(exclude_categories=["Cs"])
SCALARS = (
    st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=NO_SURROGATES, max_size=80)
)
TOML_VALUES = SCALARS | st.lists(SCALARS, max_size=3)
# Text as the shell would hand it over: no NUL, which no environment variable can hold.
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
INTERESTING_TEXT = TEXT | st.sampled_from(
    ["0", "-1", "1e999", "nan", "inf", "true", "16", "5432", " 17 ", "1.5", "{major}", "{}", "a b"]
)
FIELD_TYPES = {
    "port": int,
    "pg_version": int,
    "ready_timeout": float,
    "lock_timeout": float,
    "statement_timeout": float,
    "prove_lock_threshold": float,
    "prove_rewrite_rows": int,
    **dict.fromkeys((*STRINGS, "container_name", "volume_name", "password", "url"), str),
    "cluster_cache": str,
    **dict.fromkeys(PATHS, Path),
}
CHEAP = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def typed_or_refused(load: Callable[[], Settings], key: str, *sources: str) -> str | None:
    """Load; a success must have the field's type, a refusal must start with one of ``sources``.

    Returns the refusal's message, or None when the value was taken.
    """
    try:
        s = load()
    except SettingsError as exc:
        assert str(exc).startswith(sources), exc
        return str(exc)
    value = getattr(s, key)
    assert isinstance(value, FIELD_TYPES[key]) and not isinstance(value, bool), (key, value)
    if isinstance(value, float):
        assert math.isfinite(value) and value >= 0
    return None


@CHEAP
@given(key=st.sampled_from(PYPROJECT_KEYS), value=TOML_VALUES)
def test_any_toml_value_is_either_typed_or_refused_naming_the_key(
    tmp_path_factory: pytest.TempPathFactory, key: str, value: object
) -> None:
    root = tmp_path_factory.mktemp("p")

    refused = typed_or_refused(lambda: from_pyproject(root, key, value), key, where(root, key))

    assert refused is not None or not isinstance(value, bool | list)


@CHEAP
@given(key=st.sampled_from(VARIABLE_KEYS), value=INTERESTING_TEXT.filter(bool))
def test_any_variable_value_is_either_typed_or_refused_naming_the_variable(
    tmp_path_factory: pytest.TempPathFactory, key: str, value: str
) -> None:
    root = tmp_path_factory.mktemp("v")
    variable = f"NORBERTS_DB_{key.upper()}"
    # backend = external needs a URL, which is what the value is about to be checked with.
    env = {"NORBERTS_DB_URL": "postgresql://localhost/x", variable: value}

    refused = typed_or_refused(lambda: load_settings(root, environ=env), key, f"{variable}: ")

    if refused is not None and key in ("password", "url") and len(value) >= 3:
        assert value not in refused


@CHEAP
@given(key=st.sampled_from(VARIABLE_KEYS), value=INTERESTING_TEXT | TOML_VALUES)
def test_any_flag_value_is_either_typed_or_refused_naming_the_flag(
    tmp_path_factory: pytest.TempPathFactory, key: str, value: object
) -> None:
    root = tmp_path_factory.mktemp("f")
    flag = "--pg" if key == "pg_version" else f"--{key.replace('_', '-')}"

    typed_or_refused(
        lambda: load_settings(root, environ={}, **{key: value}),
        key,
        f"{flag}: ",
        "backend 'external' needs a server",
    )


def test_the_default_seed_is_the_one_beside_the_schema_file(tmp_path: Path) -> None:
    project = load_settings(tmp_path, environ={})
    other = load_settings(tmp_path, environ={}, schema="elsewhere/schema.sql")
    chosen = load_settings(tmp_path, environ={}, schema="elsewhere/schema.sql", seed="s.sql")

    assert project.seed_path == tmp_path / "sql" / "seed.sql"
    assert not project.seed_is_explicit
    assert other.seed_path == tmp_path / "elsewhere" / "seed.sql"
    assert chosen.seed_path == tmp_path / "s.sql"
    assert chosen.seed_is_explicit


def test_the_cluster_cache_is_a_folder_off_or_the_users_cache_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert load_settings(project(tmp_path, ""), environ={}).cluster_cache_path == (
        tmp_path / "xdg" / "norberts-db" / "clusters"
    )
    relative = load_settings(project(tmp_path, 'cluster_cache = "kept"'), environ={})
    assert relative.cluster_cache_path == tmp_path / "kept"
    off = {"NORBERTS_DB_CLUSTER_CACHE": "off"}
    assert load_settings(project(tmp_path, ""), environ=off).cluster_cache_path is None
    with pytest.raises(SettingsError, match="cluster_cache"):
        load_settings(project(tmp_path, "cluster_cache = 5"), environ={})
