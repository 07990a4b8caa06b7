"""apply-rules: built-in checks, mappings, the state store (holds, release), alerts, raw mode."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from apply_rules_helpers import HERE, apply, line, order, stream
from conftest import Invoke, records

from flowkit.store import Store, orders
from flowkit.store.rules import QTY_COLUMNS

NO_RULES = '[[rules]]\nname = "noop"\nnote = "seen"\nwhen.tag = "never-there"\n'
Config = Callable[..., Path]


def held(result: Any) -> dict[str, str | None]:
    assert result.exit_code == 0, result.stderr
    return {r["key"]: r["body"]["hold"]["reason"] for r in records(result.stdout) if r["kind"] == "order"}


def reasons(result: Any) -> list[str | None]:
    assert result.exit_code == 0, result.stderr
    return [r["body"]["hold"]["reason"] for r in records(result.stdout) if r["kind"] == "order"]


def put_stock(state_path: Path, sku: str, qty: int, target: str = "web") -> None:
    """Write a stock figure the way push-stock's ledger holds it (the required columns it does not name: 1 and "x")."""
    store = Store(state_path)
    columns = store.columns("stock_ledger")
    qty_column = next(c for c in QTY_COLUMNS if c in columns)
    values: dict[str, Any] = {
        "sku": sku,
        qty_column: qty,
        "target": target,
        "source": "default",
        "last_seq": 1,
        "updated_at": "x",
    }
    names = [n for n in values if n in columns]
    with store.transaction() as conn:
        conn.execute(
            f"INSERT INTO stock_ledger ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})", [values[n] for n in names]
        )
    store.close()


def test_duplicate_in_stream_and_in_store(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    store = Store(state_path)
    with store.transaction():
        orders.upsert(store, order("900"), source="shop", command="test")
        orders.set_export_status(store, "900", "exported", command="test")
        orders.upsert(store, order("901", source={"system": "x", "channel": {"id": "pos"}}), source="shop", command="test")
        orders.set_export_status(store, "901", "exported", command="test")
    store.close()
    result = apply(
        invoke,
        tmp_path,
        NO_RULES,
        order("900"),
        order("901"),
        order("5", lines=[line("V789", 1)]),
        order("5", lines=[line("V789", 1)]),
    )
    assert reasons(result) == ["Duplicate Order", None, None, "Duplicate Order"]
    store = Store(state_path)
    row = orders.get(store, "900")
    assert row is not None and row["export_status"] == "exported"  # the original stays exported
    assert store.events("900")[-1]["event"] == "duplicate-held"
    store.close()


def test_checks_switch_off(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    config = tmp_config(
        '[apply-rules.checks]\nduplicate = false\n[apply-rules.maps]\nsku = { V789 = "P1" }\n'
        "[channels.web.apply-rules.checks]\nnot_managed = false\n"
    )
    result = apply(
        invoke, tmp_path, NO_RULES, order("5", lines=[line("NOPE", 1)]), order("5"), args=("--dry-run",), config=config
    )
    assert reasons(result) == [None, None]
    result = apply(
        invoke,
        tmp_path,
        NO_RULES,
        order("6", lines=[line("NOPE", 1)]),
        args=("--dry-run",),
        config=config,
        meta={"channel": "pos"},
    )
    assert held(result) == {"6": "Item Not Managed"}


def test_not_managed_and_sku_map_with_variants(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    config = tmp_config(f'[apply-rules.maps]\nsku = "{HERE / "skus.csv"}"\n')
    matt = line("V789", 1, attributes=[{"name": "finish", "value": "Matt"}], product_ref="shop-77")
    result = apply(
        invoke,
        tmp_path,
        NO_RULES,
        order("1", lines=[matt, line("V789", 1)]),
        order("2", lines=[line("V789", 1), line("ZZZ", 1)]),
        args=("--dry-run", "--explain"),
        config=config,
    )
    assert held(result) == {"1": None, "2": "Item Not Managed"}
    first = records(result.stdout)[0]["body"]["lines"]
    assert [ln["product_ref"] for ln in first] == ["PRD-V789-MATT", "PRD-V789-GLOSS"]
    assert first[0]["extra_data"]["SourceProductRef"] == "shop-77"
    assert "check not_managed: SKU(s) ZZZ not in the SKU map" in result.stderr


def test_insufficient_quantity_from_stock_ledger(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    mugs = order("7", lines=[line("MUG-11OZ", 2), line("MUG-11OZ", 2, id="2")])
    result = apply(invoke, tmp_path, NO_RULES, mugs, args=("--dry-run",))
    assert held(result) == {"7": None}  # no ledger yet: stock unknown, no hold
    put_stock(state_path, "MUG-11OZ", 3)
    put_stock(state_path, "TEE-M", 10)
    plenty = order("8", lines=[line("TEE-M", 10)])
    printed = order("9", lines=[line("MUG-11OZ", 50, delivery_type="print")])
    result = apply(invoke, tmp_path, NO_RULES, mugs, plenty, printed, args=("--explain",))
    assert held(result) == {"7": "Insufficient Quantity", "8": None, "9": None}
    assert "MUG-11OZ: 4 ordered, 3 in stock" in result.stderr


def test_disabled_source_and_supplier(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    config = tmp_config(
        '[sources.legacy]\ntype = "dir"\npath = "in"\nenabled = false\n'
        "[suppliers.old-print]\ndisabled = true\n"
        '[apply-rules.checks]\ndisabled_suppliers = ["gone"]\n'
    )
    result = apply(
        invoke,
        tmp_path,
        NO_RULES,
        order("1", lines=[line("V789", 1, supplier="old-print")]),
        order("2", lines=[line("V789", 1, supplier={"id": "gone"})]),
        order("3", lines=[line("V789", 1)]),
        args=("--dry-run",),
        config=config,
    )
    assert held(result) == {"1": "Disabled Source", "2": "Disabled Source", "3": None}
    result = apply(
        invoke,
        tmp_path,
        NO_RULES,
        order("4", lines=[line("V789", 1)]),
        args=("--dry-run",),
        config=config,
        meta={"source": "legacy"},
    )
    assert held(result) == {"4": "Disabled Source"}


def test_shipping_map_default_and_unmapped(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    maps = '[maps]\nshipping = { standard = "RM48", Express = "UPS_EXP" }\n'
    express = order("2", shipping={"method_code": "express"}, lines=[line("V789", 1)])
    drone = order("3", shipping={"method_code": "drone"}, lines=[line("V789", 1)])
    result = apply(invoke, tmp_path, maps + NO_RULES, express, drone, args=("--dry-run",))
    assert held(result) == {"2": None, "3": "Unmapped Shipping Policy"}
    out = records(result.stdout)
    assert out[0]["body"]["shipping"]["method_code"] == "UPS_EXP"
    assert out[0]["body"]["extra_data"]["ShopShippingMethod"] == "express"
    config = tmp_config(
        '[apply-rules.maps]\nshipping_default = "RM48"\n[apply-rules.checks.reasons]\nunmapped_shipping = "Ask ops"\n'
    )
    result = apply(invoke, tmp_path, maps + NO_RULES, drone, args=("--dry-run",), config=config)
    assert held(result) == {"3": None}
    assert records(result.stdout)[0]["body"]["shipping"]["method_code"] == "RM48"


def test_line_routing_and_custom_reason(invoke: Invoke, tmp_path: Path) -> None:
    rules = (
        '[maps]\nsku = "%s"\n[maps.routing]\nstock = ["^TEE-"]\n[checks.reasons]\nnot_managed = "Unknown item"\n'
        % (HERE / "skus.csv")
    ) + NO_RULES
    doc = order("1", lines=[line("V789", 1), line("TEE-M", 1, id="2"), line("MUG-11OZ", 1, id="3")])
    result = apply(invoke, tmp_path, rules, doc, args=("--dry-run",))
    body = records(result.stdout)[0]["body"]
    assert [ln["delivery_type"] for ln in body["lines"]] == ["print", "stock", "stock"]
    assert body["tags"] == ["route:print", "route:stock"]
    assert body["hold"]["reason"] == "Unknown item"  # TEE-M is routed but not in the SKU map


def test_release_then_not_held_again(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    rules = '[[rules]]\nname = "big"\nhold = "Review"\nwhen.any_line_quantity = "> 4"\n'
    assert held(apply(invoke, tmp_path, rules, order("1203"))) == {"1203": "Review"}
    result = invoke(["state", "release", "1203", "--note", "ok by phone"])
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout) == {"number": "1203", "export_status": "pending", "released_from": "Review"}
    result = apply(invoke, tmp_path, rules, order("1203"), args=("--explain",))
    assert held(result) == {"1203": None}
    assert "released by an operator" in result.stderr
    store = Store(state_path)
    row = orders.get(store, "1203")
    assert row is not None and row["export_status"] == "pending" and row["document"]["hold"]["on_hold"] is False
    assert [e["event"] for e in store.events("1203")] == ["fetched", "held", "pending", "released"]
    store.close()
    again = invoke(["state", "release", "1203"])
    assert again.exit_code == 65 and "is pending, not held" in again.stderr
    missing = invoke(["state", "release", "4040"])
    assert missing.exit_code == 65 and "'4040' is not in the state store" in missing.stderr


def test_alert_delivered_to_destination(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    config = tmp_config('[destinations.ops]\ntype = "hotfolder"\npath = "alerts"\n')
    rules = (
        '[[rules]]\nname = "Big Order!"\nwhen.total_quantity = ">= 5"\n'
        'alert = { message = "{number}: {total_quantity} units", to = "ops", severity = "info" }\n'
    )
    result = apply(invoke, tmp_path, rules, order("1203"), config=config)
    assert result.exit_code == 0, result.stderr
    alert = records(result.stdout)[1]
    assert alert["kind"] == "alert" and alert["meta"]["delivery"]["destination"] == "ops"
    written = tmp_path / "alerts" / "alert-1203-big-order.json"
    assert orjson.loads(written.read_bytes()) == {
        "rule": "Big Order!",
        "order": "1203",
        "message": "1203: 5 units",
        "severity": "info",
    }
    bad = tmp_config('[destinations.ops]\ntype = "carrier-pigeon"\nurl = "x"\n', name="bad.toml")
    result = apply(invoke, tmp_path, rules, order("1203"), config=bad)
    assert result.exit_code == 78 and "unknown destination type in 'destinations.ops.type'" in result.stderr


def test_raw_mode_one_document(invoke: Invoke, tmp_path: Path) -> None:
    rules = (
        '[[rules]]\nname = "big"\nhold = "Review"\nadd_tags = "Review Needed"\n'
        'alert = "check {number}"\nwhen.any_line_quantity = "> 4"\n'
    )
    path = tmp_path / "rules.toml"
    path.write_text(rules)
    result = invoke(["apply-rules", "--rules", str(path), "--dry-run", "-"], input=(HERE / "1203.json").read_bytes())
    assert result.exit_code == 0, result.stderr
    body = orjson.loads(result.stdout)
    assert body["number"] == "1203" and body["tags"] == ["Review Needed"]
    assert "alert [warning] order 1203: check 1203 (rule 'big')" in result.stderr


def test_drop_held(invoke: Invoke, tmp_path: Path) -> None:
    rules = '[[rules]]\nname = "big"\nhold = "Review"\nwhen.any_line_quantity = "> 4"\n'
    result = apply(invoke, tmp_path, rules, order("1"), order("2", lines=[line("A", 1)]), args=("--dry-run", "--drop-held"))
    assert [r["key"] for r in records(result.stdout)] == ["2"]


def test_bad_settings_exit_78(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    config = tmp_config("[apply-rules]\nexplain = true\n\n[apply-rules.checks]\nduplicat = false\n", name="strict.toml")
    result = apply(invoke, tmp_path, NO_RULES, order(), config=config)
    assert result.exit_code == 78 and f"{config}:5: unknown key 'apply-rules.checks.duplicat'" in result.stderr
    csv = tmp_path / "bad.csv"
    csv.write_text("code,product\nA,B\n")
    result = apply(invoke, tmp_path, f'[maps]\nsku = "{csv}"\n' + NO_RULES, order())
    assert result.exit_code == 78 and f"{csv}:1: CSV header lacks column(s) sku, product_id" in result.stderr
    result = apply(invoke, tmp_path, '[maps]\nrouting = { default = "air" }\n' + NO_RULES, order())
    assert result.exit_code == 78 and "rules.toml:2: 'maps.routing.default' must be one of print, stock" in result.stderr
    assert result.stdout == ""


def test_store_untouched_by_dry_run(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    rules = '[[rules]]\nname = "big"\ncancel = "No"\nwhen.any_line_quantity = "> 4"\n'
    assert apply(invoke, tmp_path, rules, order("1"), args=("--dry-run",)).exit_code == 0
    conn = sqlite3.connect(state_path)
    assert conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0
    conn.close()
    assert stream(order("1"))


def test_samples_show_every_builtin_reason(invoke: Invoke, state_path: Path) -> None:
    from conftest import ROOT

    put_stock(state_path, "MUG-11OZ", 2)
    result = invoke(
        ["apply-rules", "--rules", str(ROOT / "samples" / "rules.toml"), str(ROOT / "samples" / "apply-rules" / "orders.ndjson")]
    )
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    orders_out = [(r["key"], r["body"]["hold"]["reason"], r["body"]["status"]) for r in out if r["kind"] == "order"]
    assert orders_out == [
        ("1203", "Held for review", "approved"),
        ("1204", None, "approved"),
        ("1205", "Item Not Managed", "approved"),
        ("1206", "Unmapped Shipping Policy", "approved"),
        ("1207", "Disabled Source", "approved"),
        ("1208", "Insufficient Quantity", "approved"),
        ("1209", None, "cancelled"),
        ("1210", None, "approved"),
        ("1203", "Duplicate Order", "approved"),
    ]
    assert out[1]["body"]["tags"] == ["vip", "route:print", "Express", "International", "VIP"]
    assert [r["body"]["order"] for r in out if r["kind"] == "alert"] == ["1210"]


def test_unknown_alert_destination_is_a_config_error(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    rules = '[[rules]]\nname = "a"\nhold = "x"\nalert = { message = "m", to = "nowhere" }\n'
    result = apply(invoke, tmp_path, rules, order())
    assert result.exit_code == 78 and "no [destinations.nowhere]" in result.stderr
    assert result.stdout == ""
    assert not state_path.exists()  # nothing opened before the rules and destinations were checked
