"""Plans for subscriptions, servers and user mappings, from catalogs built by hand (no server)."""

from __future__ import annotations

import pytest

from norberts_db.catalog.model import ObjectKey, Snapshot
from norberts_db.migrations.catalog import Catalog
from norberts_db.migrations.plan import plan_migration, render_plan
from norberts_db.migrations.planner import PlanError, PlanOptions

SUBSCRIPTION = ObjectKey("subscription", "copy_orders")
SECRET = "hunter2-never-shown"


def _subscription(enabled: str, connection: str = "host=pub.invalid dbname=shop") -> Catalog:
    attrs = {
        "connection": "(hidden, md5 12345678)",
        "publications": "orders",
        "enabled": enabled,
        "slot_name": "'copy_orders'",
        "options": "binary = true",
    }
    return Catalog(Snapshot({SUBSCRIPTION: attrs}), {SUBSCRIPTION: {"connection": connection}})


def test_a_new_subscription_never_connects_and_stays_disabled_with_a_note() -> None:
    text = render_plan(plan_migration(Catalog(Snapshot({})), _subscription("enabled")))

    assert "WITH (connect = false, slot_name = 'copy_orders', binary = true)" in text
    assert "ALTER SUBSCRIPTION copy_orders ENABLE;" not in text
    assert "--connect-subscriptions" in text


def test_a_subscription_is_enabled_only_when_asked_to_connect() -> None:
    plan = plan_migration(
        Catalog(Snapshot({})), _subscription("enabled"), PlanOptions(connect_subscriptions=True)
    )

    assert "ALTER SUBSCRIPTION copy_orders ENABLE;" in render_plan(plan)


def test_a_dropped_subscription_lets_go_of_its_slot_so_nothing_connects() -> None:
    text = render_plan(plan_migration(_subscription("enabled"), Catalog(Snapshot({}))))

    assert text.index("DISABLE") < text.index("slot_name = NONE") < text.index("DROP SUBSCRIPTION")


def test_a_connection_string_with_a_password_is_never_written() -> None:
    wanted = _subscription("disabled", f"host=pub.invalid password={SECRET}")

    with pytest.raises(PlanError, match="holds a password") as raised:
        plan_migration(Catalog(Snapshot({})), wanted)
    assert SECRET not in str(raised.value)


def test_a_user_mapping_secret_is_never_written_into_a_migration() -> None:
    key = ObjectKey("user mapping", "FOR PUBLIC SERVER s")
    wanted = Catalog(
        Snapshot({key: {"options": "user=app, password=(hidden, md5 1234abcd)"}}),
        {key: {"options": [["user", "app"], ["password", SECRET]]}},
    )

    with pytest.raises(PlanError, match="option password holds a secret") as raised:
        plan_migration(Catalog(Snapshot({})), wanted)
    assert SECRET not in str(raised.value)


def test_a_server_password_is_refused_when_it_changes_but_other_options_change_in_place() -> None:
    key = ObjectKey("server", "s")

    def server(host: str, password: str) -> Catalog:
        shown = f"host={host}, password=(hidden, md5 {password[:8]})"
        attrs = {"wrapper": "w", "options": shown}
        return Catalog(
            Snapshot({key: attrs}), {key: {"options": [["host", host], ["password", password]]}}
        )

    moved = render_plan(plan_migration(server("a.invalid", SECRET), server("b.invalid", SECRET)))
    assert moved == "ALTER SERVER s OPTIONS (SET host 'b.invalid');\n"
    with pytest.raises(PlanError, match="server s: option password holds a secret") as raised:
        plan_migration(server("a.invalid", "old-one"), server("a.invalid", SECRET))
    assert SECRET not in str(raised.value)
