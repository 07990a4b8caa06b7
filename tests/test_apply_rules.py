"""apply-rules: the rules language (conditions, actions, order, multi-tag) and bad rules files."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from apply_rules_helpers import HERE, META, apply, line, order, stream
from conftest import ROOT, Invoke, record_line, records

# (condition TOML, changes making an order match, changes making it not match)
CONDITIONS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ('any_line_quantity = "> 4"', {"lines": [line("A", 1), line("V789", 5)]}, {"lines": [line("A", 4)]}),
    ('all_line_quantity = ">= 2"', {"lines": [line("A", 2), line("B", 3)]}, {"lines": [line("A", 2), line("B", 1)]}),
    ('total_quantity = "== 6"', {"lines": [line("A", 2), line("B", 4)]}, {"lines": [line("A", 2), line("B", 3)]}),
    ("total_quantity = 3", {"lines": [line("A", 3)]}, {"lines": [line("A", 4)]}),
    ('shipping_country_in = ["gb", "IE"]', {}, {"shipping_address": {"country_code": "FR"}}),
    ('shipping_country_not_in = ["GB"]', {"shipping_address": {"country_code": "DE"}}, {}),
    ('shipping_method = ["express", "next-day"]', {"shipping": {"method_code": "Express"}}, {}),
    ('channel = "web"', {}, {"source": {"system": "x", "channel": {"id": "pos"}}}),
    ('supplier = "acme-print"', {}, {"supplier": {"id": "other"}}),
    ('field_matches = { "customer.email" = "@example\\\\.com$", "lines.sku" = "^V7" }', {}, {"lines": [line("X1", 1)]}),
    ('extra_data_matches = { "CheckoutAttribute.CostCode" = "^44" }', {}, {"extra_data": {"CheckoutAttribute.CostCode": "5500"}}),
    ('note_contains = "NEIGHBOUR"', {}, {"notes": {"customer": None, "internal": ["call first"]}}),
    ('tag = "VIP"', {"tags": ["rush", "VIP"]}, {"tags": ["rush"]}),
    ('all = [{ channel = "web" }, { any_line_quantity = "> 4" }]', {}, {"lines": [line("A", 1)]}),
    ('any = [{ channel = "pos" }, { tag = "VIP" }]', {"tags": ["VIP"]}, {}),
    ('not = { shipping_country_in = ["GB"] }', {"shipping_address": {"country_code": "US"}}, {}),
]


def _meta_for(changes: dict[str, Any]) -> dict[str, Any]:
    """Channel/supplier in meta follow the order (meta wins over the body in conditions)."""
    channel = ((changes.get("source") or {}).get("channel") or {}).get("id", "web")
    supplier = (changes.get("supplier") or {}).get("id", "acme-print")
    return {**META, "channel": channel, "supplier": supplier}


@pytest.mark.parametrize(("condition", "yes", "no"), CONDITIONS, ids=[c[0].split(" ")[0] for c in CONDITIONS])
def test_condition_types(invoke: Invoke, tmp_path: Path, condition: str, yes: dict[str, Any], no: dict[str, Any]) -> None:
    rules = f'[[rules]]\nname = "probe"\nadd_tags = ["hit"]\n[rules.when]\n{condition}\n'
    (tmp_path / "rules.toml").write_text(rules)
    data = record_line("order", "1", order("1", **yes), _meta_for(yes))
    data += record_line("order", "2", order("2", **no), _meta_for(no))
    result = invoke(["apply-rules", "--rules", str(tmp_path / "rules.toml"), "--dry-run"], input=data)
    assert result.exit_code == 0, result.stderr
    out = {r["key"]: r for r in records(result.stdout)}
    assert out["1"]["body"]["tags"][-1:] == ["hit"]
    assert "hit" not in out["2"]["body"]["tags"]
    assert out["1"]["meta"]["rules"]["matched"] == ["probe"]
    assert out["2"]["meta"]["rules"]["matched"] == []


def test_worked_example_1203(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    """Order 1203 with V789 x 5 is held for review and tagged 'Review Needed' by the sample rules."""
    result = invoke(["apply-rules", "--rules", str(ROOT / "samples" / "rules.toml"), "--explain", str(HERE / "1203.json")])
    assert result.exit_code == 0, result.stderr
    body = orjson.loads(result.stdout)
    assert body["number"] == "1203"
    assert body["hold"] == {"on_hold": True, "reason": "Held for review", "until": None}
    assert "Review Needed" in body["tags"]
    assert "1203: rule 'hold quantities over 4' matched: any line quantity > 4" in result.stderr
    from flowkit.store import Store, orders

    store = Store(state_path)
    row = orders.get(store, "1203")
    assert row is not None and row["export_status"] == "held" and row["hold_reason"] == "Held for review"
    assert [e["event"] for e in store.events("1203")] == ["fetched", "held"]
    store.close()


def test_actions(invoke: Invoke, tmp_path: Path) -> None:
    rules = """
[[rules]]
name = "big order"
when.total_quantity = ">= 5"
hold = "Big order {number} ({total_quantity} units)"
add_tags = ["Big", "Check"]
set = { "shipping.method_code" = "courier", "lines.delivery_type" = "print", "po_number" = "PO-{x}" }
note = "Held by {rule}"
alert = { message = "Order {number} needs a look", severity = "critical" }
"""
    result = apply(invoke, tmp_path, rules, order("1203"), args=("--dry-run",))
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert [r["kind"] for r in out] == ["order", "alert"]
    body = out[0]["body"]
    assert body["hold"]["reason"] == "Big order 1203 (5 units)"
    assert body["tags"] == ["Big", "Check"]
    assert body["shipping"]["method_code"] == "courier"
    assert body["po_number"] == "PO-{x}" and body["lines"][0]["delivery_type"] == "print"
    assert body["notes"]["internal"] == ["Held by big order"]
    assert out[1]["key"] == "1203" and out[1]["meta"]["channel"] == "web"
    assert out[1]["body"] == {"rule": "big order", "order": "1203", "message": "Order 1203 needs a look", "severity": "critical"}


def test_cancel_recorded(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    rules = '[[rules]]\nname = "no FR"\ncancel = "We do not ship to France"\nwhen.shipping_country_in = "FR"\n'
    result = apply(invoke, tmp_path, rules, order("77", shipping_address={"country_code": "FR"}), order("78"))
    assert result.exit_code == 0, result.stderr
    out = {r["key"]: r for r in records(result.stdout)}
    assert out["77"]["body"]["status"] == "cancelled"
    assert out["77"]["meta"]["rules"]["cancelled"] == {"by": "no FR", "reason": "We do not ship to France"}
    assert out["78"]["body"]["status"] == "approved"
    from flowkit.store import Store, orders

    store = Store(state_path)
    assert orders.get(store, "77")["export_status"] == "cancelled"  # type: ignore[index]
    assert orders.get(store, "78") is None
    store.close()


def test_multi_tag_all_matching_rules_kept(invoke: Invoke, tmp_path: Path) -> None:
    rules = """
[[rules]]
name = "uk"
add_tags = ["UK", "Domestic"]
when.shipping_country_in = ["GB"]

[[rules]]
name = "quantity"
add_tags = ["Review Needed", "UK"]
when.any_line_quantity = "> 4"

[[rules]]
name = "cost code"
add_tags = "Cost Centre"
when.extra_data_matches = { "CheckoutAttribute.CostCode" = "." }
"""
    result = apply(invoke, tmp_path, rules, order(tags=["rush"]), args=("--dry-run",))
    body = records(result.stdout)[0]["body"]
    assert body["tags"] == ["rush", "UK", "Domestic", "Review Needed", "Cost Centre"]


def test_rule_order_later_rules_see_changes(invoke: Invoke, tmp_path: Path) -> None:
    rules = """
[[rules]]
name = "first"
add_tags = ["VIP"]
set = { "shipping.method_code" = "express" }
when.channel = "web"

[[rules]]
name = "second sees first"
note = "express VIP"
when.all = [{ tag = "VIP" }, { shipping_method = "express" }]

[[rules]]
name = "stopper"
add_tags = ["stopped"]
stop = true
when.on_hold = false

[[rules]]
name = "never reached"
add_tags = ["unreachable"]
"""
    result = apply(invoke, tmp_path, rules, order(), args=("--dry-run", "--explain"))
    out = records(result.stdout)[0]
    assert out["body"]["notes"]["internal"] == ["express VIP"]
    assert out["body"]["tags"] == ["VIP", "stopped"]
    assert out["meta"]["rules"]["matched"] == ["first", "second sees first", "stopper"]
    assert "(stop)" in result.stderr and "never reached" not in result.stderr


def test_other_kinds_pass_through_and_bad_order(invoke: Invoke, tmp_path: Path) -> None:
    rules = '[[rules]]\nname = "t"\nadd_tags = ["x"]\n'
    path = tmp_path / "rules.toml"
    path.write_text(rules)
    data = record_line("payload", "9", "<Order/>", type="application/xml") + record_line("order", "5", {"x": 1})
    data += stream(order("6"))
    result = invoke(["apply-rules", "--rules", str(path), "--dry-run"], input=data)
    assert result.exit_code == 1
    out = records(result.stdout)
    assert [r["kind"] for r in out] == ["payload", "error", "order"]
    assert "record '5': order 5 is not a valid flowkit.order/1 (3 problems): $.schema: required member missing;" in result.stderr


BAD_RULES = [
    ('[[rules]]\nname = "a"\nhold = "x"\nwhen.any_line_quantity = "lots"\n', 4, "'a'", "when.any_line_quantity"),
    ('[[rules]]\nname = "a"\nadd_tags = ["x"]\n\n[[rules]]\nname = "b"\nhold = ""\n', 7, "'b'", "hold"),
    ('[[rules]]\nname = "a"\nhold = "x"\n[rules.when]\ncolour = "red"\n', 5, "'a'", "when.colour"),
    ('[[rules]]\nname = "a"\nhodl = "x"\n', 3, "'a'", "hodl"),
    (
        '[[rules]]\nname = "a"\nhold = "x"\nwhen.field_matches = { "customer.email" = "(" }\n',
        4,
        "'a'",
        "when.field_matches.customer.email",
    ),
    ('[[rules]]\nname = "a"\nalert = { message = "m", severity = "loud" }\n', 3, "'a'", "alert.severity"),
    ('[[rules]]\nhold = "x"\n', 1, "'#1'", "name"),
    ('[[rules]]\nname = "a"\nnote = "{customer}"\n', 3, "'a'", "note"),
]


@pytest.mark.parametrize(("text", "lineno", "rule", "key"), BAD_RULES)
def test_bad_rules_file_exits_78(invoke: Invoke, tmp_path: Path, text: str, lineno: int, rule: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = invoke(["apply-rules", "--rules", str(path)], input=stream(order()))
    assert result.exit_code == 78
    assert result.stdout == ""
    assert f"{path}:{lineno}: rule {rule}: key '{key}'" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_toml_and_missing_file(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[[rules]]\nname = "a\n')
    result = invoke(["apply-rules", "--rules", str(path)], input=stream(order()))
    assert result.exit_code == 78 and f"{path}: invalid TOML" in result.stderr and "line 2" in result.stderr
    result = invoke(["apply-rules", "--rules", str(tmp_path / "nope.toml")], input=stream(order()))
    assert result.exit_code == 78 and "nope.toml: rules file not found" in result.stderr


def test_rules_path_from_config(invoke: Invoke, tmp_path: Path, tmp_config: Any) -> None:
    sub = tmp_path / "conf"
    sub.mkdir()
    (sub / "r.toml").write_text('[[rules]]\nname = "t"\nadd_tags = ["from-config"]\n')
    config = tmp_config('[apply-rules]\nrules = "r.toml"\ndry_run = true\n', name="conf/flowkit.toml")
    result = invoke(["apply-rules"], input=stream(order()), config=config)
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["body"]["tags"] == ["from-config"]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ('any_line_quantity = "> 4"', True),
        ('any_line_quantity = ">= 6"', False),
        ('any_line_quantity = "< 2"', True),
        ('any_line_quantity = "<= 0"', False),
        ('any_line_quantity = "== 3"', True),
        ('any_line_quantity = "!= 1"', True),
        ('all_line_quantity = "> 0"', True),
        ('all_line_quantity = ">= 2"', False),
        ('all_line_quantity = "< 6"', True),
        ('all_line_quantity = "<= 4"', False),
        ('all_line_quantity = "== 3"', False),
        ('all_line_quantity = "!= 2"', True),
        ('total_quantity = "!= 9"', False),
        ('total_quantity = "< 9.5"', True),
        ("total_quantity = 9", True),
    ],
)
def test_comparisons(invoke: Invoke, tmp_path: Path, when: str, expected: bool) -> None:
    rules = f'[[rules]]\nname = "c"\nadd_tags = ["hit"]\nwhen.{when}\n'
    doc = order(lines=[line("A", 1), line("B", 3), line("C", 5)])
    for args in (("--dry-run",), ("--dry-run", "--explain")):  # generated runner and per-rule tests agree
        result = apply(invoke, tmp_path, rules, doc, args=args)
        assert ("hit" in records(result.stdout)[0]["body"]["tags"]) is expected, args


def test_set_is_seen_by_later_conditions(invoke: Invoke, tmp_path: Path) -> None:
    rules = """
[[rules]]
name = "count before"
add_tags = ["was GB"]
when.shipping_country_in = "GB"

[[rules]]
name = "move"
set = { "shipping_address.country_code" = "IE", "lines.quantity" = 9, "tags" = ["reset"] }

[[rules]]
name = "after"
add_tags = ["now IE"]
when.all = [{ shipping_country_in = "IE" }, { all_line_quantity = "== 9" }, { total_quantity = 18 },
            { tag = "reset" }, { not = { tag = "was GB" } }]
"""
    doc = order(lines=[line("A", 1), line("B", 2)])
    for args in (("--dry-run",), ("--dry-run", "--explain")):
        body = records(apply(invoke, tmp_path, rules, doc, args=args).stdout)[0]["body"]
        assert body["tags"] == ["reset", "now IE"], args
        assert [ln["quantity"] for ln in body["lines"]] == [9, 9]


def test_note_then_note_contains(invoke: Invoke, tmp_path: Path) -> None:
    rules = """
[[rules]]
name = "first"
note = "Call the customer about {number}"

[[rules]]
name = "second"
add_tags = ["call"]
when.note_contains = ["CALL THE CUSTOMER", "nothing"]

[[rules]]
name = "third"
add_tags = ["never"]
when.note_contains = "not written"
"""
    for args in (("--dry-run",), ("--dry-run", "--explain")):
        body = records(apply(invoke, tmp_path, rules, order(), args=args).stdout)[0]["body"]
        assert body["tags"] == ["call"], args
        assert body["notes"]["internal"] == ["Call the customer about 1203"]


def test_odd_shapes_do_not_crash(invoke: Invoke, tmp_path: Path) -> None:
    rules = """
[[rules]]
name = "everything"
note = "n"
add_tags = ["t"]
when.any = [{ supplier = "acme" }, { channel = "pos" }, { note_contains = "leave" }, { shipping_method = "x" },
            { any_line_quantity = "> 100" }, { shipping_country_in = "GB" }]
"""
    odd = order(
        "1",
        supplier="acme",
        source={"channel": "pos"},
        tags="single",
        notes="leave it",
        shipping="x",
        shipping_address=None,
        lines=[line("A", "3")],
    )
    bad = order("2", lines=[line("A", "lots")])
    (tmp_path / "rules.toml").write_text(rules)
    data = record_line("order", "1", odd) + record_line("order", "2", bad)
    result = invoke(["apply-rules", "--rules", str(tmp_path / "rules.toml"), "--dry-run"], input=data)
    assert result.exit_code == 1
    out = records(result.stdout)
    assert out[0]["body"]["tags"] == ["single", "t"]
    assert out[0]["body"]["notes"] == {"customer": "leave it", "internal": ["n"]}
    message = "order 2 is not a valid flowkit.order/1: $.lines[0].quantity: expected integer, got string"  # "3" is read
    assert out[1]["kind"] == "error" and out[1]["body"]["error"] == message
    assert f"record '2': {message}" in result.stderr


def test_set_then_field_matches(invoke: Invoke, tmp_path: Path) -> None:
    rules = """
[[rules]]
name = "before"
add_tags = ["old"]
when.field_matches = { "customer.email" = "^jo\\\\." }

[[rules]]
name = "rewrite"
set = { "customer.email" = "orders@example.com" }

[[rules]]
name = "after"
add_tags = ["new"]
when.all = [{ field_matches = { "customer.email" = "^orders@" } }, { not = { field_matches = { "customer.email" = "^jo" } } }]
"""
    for args in (("--dry-run",), ("--dry-run", "--explain")):
        body = records(apply(invoke, tmp_path, rules, order(), args=args).stdout)[0]["body"]
        assert body["tags"] == ["old", "new"], args


MIXED_RULES = """
[[rules]]
name = "big"
add_tags = ["Review Needed", "big"]
note = "checked by {rule}"
when.any_line_quantity = "> 4"

[[rules]]
name = "mark"
set = { "extra_data.marked" = "yes", "customer.group" = "checked" }
add_tags = ["big", "marked"]
when.any = [{ tag = "big" }, { total_quantity = ">= 3" }]

[[rules]]
name = "note {number}"
note = "order {number} for {country}"
when.field_matches = { "extra_data.marked" = "^yes$" }

[[rules]]
name = "after notes"
add_tags = ["noted"]
when.note_contains = "checked by big"

[[rules]]
name = "move"
set = { "shipping_address.country_code" = "IE", "tags" = ["reset"], "lines.sku" = "MOVED" }
when.all = [{ channel = "pos" }, { not = { tag = "vip" } }]

[[rules]]
name = "late"
add_tags = ["late"]
hold = "Review {country}"
when.all = [{ shipping_country_in = ["IE"] }, { field_matches = { "lines.sku" = "^MOVED$" } }, { tag = "reset" }]

[[rules]]
name = "notes gone"
set = { "notes" = "replaced" }
when.field_matches = { "customer.group" = "^checked$" }

[[rules]]
name = "see replaced"
add_tags = ["replaced"]
when.note_contains = "replaced"
"""


def test_compiled_rules_and_the_explain_path_agree(invoke: Invoke, tmp_path: Path) -> None:
    """The generated runner (inlined tags, sets, notes) and the per-rule path give the same orders."""
    docs = []
    for i in range(24):
        doc = order(
            str(5000 + i),
            lines=[line(f"S{i % 4}", 1 + (i * j) % 6, id=str(j)) for j in range(1 + i % 3)],
            tags=["vip"] if i % 5 == 0 else [],
            notes=None if i % 7 == 0 else {"customer": "hi", "internal": []},
        )
        docs.append(doc)
    data = "".join(
        record_line("order", str(d["number"]), d, {**META, "channel": "pos" if i % 2 else "web"}) for i, d in enumerate(docs)
    )
    (tmp_path / "rules.toml").write_text(MIXED_RULES, encoding="utf-8")
    runs = []
    for args in (("--dry-run",), ("--dry-run", "--explain")):
        result = invoke(["apply-rules", "--rules", str(tmp_path / "rules.toml"), *args], input=data)
        assert result.exit_code == 0, result.stderr
        runs.append([(r["body"], r["meta"]["rules"]["matched"]) for r in records(result.stdout)])
    assert runs[0] == runs[1]
    tags = {tag for body, _ in runs[0] for tag in body["tags"]}
    assert {"Review Needed", "marked", "noted", "reset", "late", "replaced"} <= tags  # every rule fired somewhere


def test_a_set_list_is_not_shared_between_orders(invoke: Invoke, tmp_path: Path) -> None:
    rules = """
[[rules]]
name = "reset"
set = { "tags" = ["reset"], "lines.extra_data" = { "checked" = ["yes"] } }

[[rules]]
name = "big"
add_tags = ["big"]
when.any_line_quantity = "> 4"
"""
    big, small = order("1", lines=[line("A", 9), line("B", 1, id="2")]), order("2", lines=[line("A", 1)])
    for args in (("--dry-run",), ("--dry-run", "--explain")):
        out = records(apply(invoke, tmp_path, rules, big, small, args=args).stdout)
        assert [r["body"]["tags"] for r in out] == [["reset", "big"], ["reset"]], args
        first, second = out[0]["body"]["lines"]
        assert first["extra_data"] == second["extra_data"] == {"checked": ["yes"]}


def test_tags_are_left_as_they_came_unless_a_rule_adds_one(invoke: Invoke, tmp_path: Path) -> None:
    rules = """
[[rules]]
name = "never"
add_tags = ["x"]
when.channel = "zz"

[[rules]]
name = "big"
add_tags = ["big", "big"]
when.all = [{ any_line_quantity = "> 4" }, { not = { tag = "rush" } }]

[[rules]]
name = "huge"
hold = "Count again"
when.any_line_quantity = "> 1000"
"""
    shapes: list[Any] = [None, "rush", 5, True, ["rush", {"odd": 1}], []]
    docs = []
    for i, tags in enumerate(shapes):
        doc = order(str(900 + i), lines=[line("V789", 1 if i % 2 else 5)])
        if tags is None:
            doc.pop("tags")
        else:
            doc["tags"] = tags
        docs.append(doc)
    huge = order("999", lines=[line("V789", 1e20)])  # held: stored within sqlite's integers
    runs = []
    for args in (("--dry-run",), ("--dry-run", "--explain"), ()):
        result = apply(invoke, tmp_path, rules, *docs, huge, args=args)
        assert result.exit_code == 0, result.stderr
        runs.append([r["body"].get("tags", "absent") for r in records(result.stdout)])
    assert runs[0] == runs[1] == runs[2]
    assert runs[0] == [["big"], "rush", [5, "big"], True, ["rush", {"odd": 1}], [], ["big"]]
    assert records(result.stdout)[-1]["body"]["hold"]["reason"] == "Count again"  # recorded in the last run


SHAPE_RULES = """
[checks]
disabled_sources = ["off"]

[maps]
sku = { V789 = "P-1" }
shipping = { standard = "STD" }

[[rules]]
name = "review"
hold = "Review {number} ({total_quantity} units) for {country}"
note = "seen by {rule}"
when.any = [{ note_contains = "zz" }, { status = "zz" }, { shipping_country_in = "GB" }, { total_quantity = ">= 0" },
            { extra_data_matches = { "CostCode" = "4" } }]
"""

STATUSES = "draft, pending, payment_pending, on_hold, approved, in_production, printed, partially_shipped, shipped, delivered, cancelled, failed, null"
# each is refused by the quick shape check, then named as the full validation (render) names it
WRONG_SHAPES: list[tuple[str, dict[str, Any], str]] = [
    ("line-a-string", {"lines": ["V789 x 5"]}, "$.lines[0]: expected object, got string"),
    ("lines-an-object", {"lines": {"sku": "V789"}}, "$.lines: expected array, got object"),
    ("lines-a-number", {"lines": 3}, "$.lines: expected array, got integer"),
    (
        "line-attributes",
        {"lines": [line("V789", 1, attributes=7)]},
        "$.lines[0].attributes: expected array, got integer",
    ),
    (
        "line-extra-data",
        {"lines": [line("V789", 1, extra_data="x")]},
        "$.lines[0].extra_data: expected object, got string",
    ),
    ("line-sku-object", {"lines": [line({"a": 1}, 1)]}, "$.lines[0].sku: expected string, got object"),
    ("address-a-string", {"shipping_address": "12 Sample Road"}, "$.shipping_address: expected object, got string"),
    ("source-a-string", {"source": "magento"}, "$.source: expected object or null, got string"),
    (
        "channel-id-list",
        {"source": {"channel": {"id": ["web"]}}},
        "$.source.channel.id: expected string or null, got array",
    ),
    ("supplier-id-list", {"supplier": {"id": ["acme"]}}, "$.supplier.id: expected string or null, got array"),
    ("hold-a-string", {"hold": "yes"}, "$.hold: expected object or null, got string"),
    ("extra-data-list", {"extra_data": ["x"]}, "$.extra_data: expected object, got array"),
    (
        "internal-notes-number",
        {"notes": {"customer": None, "internal": 4}},
        "$.notes.internal: expected array, got integer",
    ),
    ("status-a-list", {"status": ["approved"]}, '$.status: ["approved"] is not one of: ' + STATUSES),
    ("placed-at-object", {"placed_at": {"at": "today"}}, "$.placed_at: expected string or null, got object"),
]


@pytest.mark.parametrize(("changes", "message"), [c[1:] for c in WRONG_SHAPES], ids=[c[0] for c in WRONG_SHAPES])
def test_a_wrongly_typed_field_fails_that_order_alone(
    invoke: Invoke, tmp_path: Path, state_path: Path, changes: dict[str, Any], message: str
) -> None:
    """Bad data, not a traceback: exit 65 for that order (1 for the run), its JSON path named, nothing of it stored."""
    result = apply(invoke, tmp_path, SHAPE_RULES, order("1"), order("1203", **changes), order("3"))
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1, result.stderr
    message = f"order 1203 is not a valid flowkit.order/1: {message}"
    assert result.stderr.splitlines()[0] == f"flowkit: record '1203': {message}"
    out = records(result.stdout)
    assert [(r["kind"], r["key"]) for r in out] == [("order", "1"), ("error", "1203"), ("order", "3")]
    assert out[1]["body"]["error"] == message and out[1]["body"]["exit_code"] == 65
    assert [r["body"]["hold"]["reason"] for r in (out[0], out[2])] == ["Review 1 (5 units) for GB", "Review 3 (5 units) for GB"]
    with sqlite3.connect(state_path) as conn:
        assert sorted(n for (n,) in conn.execute("SELECT number FROM orders")) == ["1", "3"]


def test_a_set_that_leaves_a_wrong_shape_fails_that_order(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    """A rule's ``set`` can write what the state store cannot keep: the order fails as data, nothing is stored."""
    rules = """
[[rules]]
name = "flatten"
set = { "status" = ["held"] }
when.tag = "flatten"

[[rules]]
name = "review"
hold = "Review"
"""
    result = apply(invoke, tmp_path, rules, order("1"), order("2", tags=["flatten"]), order("3"))
    assert "Traceback" not in result.stderr and result.exit_code == 1
    message = f'order 2 is not a valid flowkit.order/1: $.status: ["held"] is not one of: {STATUSES}'
    where = f" (set by rule 'flatten' at {tmp_path / 'rules.toml'}:4)"
    assert result.stderr.splitlines()[0] == f"flowkit: record '2': {message}{where}"
    assert [r["kind"] for r in records(result.stdout)] == ["order", "error", "order"]
    with sqlite3.connect(state_path) as conn:
        assert sorted(n for (n,) in conn.execute("SELECT number FROM orders")) == ["1", "3"]


def test_an_order_already_on_hold_without_a_reason_is_held_by_the_rule(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    """``hold`` with ``on_hold`` and no ``reason`` (valid: only ``on_hold`` is required) was a KeyError."""
    rules = '[[rules]]\nname = "review"\nhold = "Review {number}"\n'
    result = apply(invoke, tmp_path, rules, order("1", hold={"on_hold": True}), order("2"), order("3", hold={"on_hold": True}))
    assert "Traceback" not in result.stderr
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert [r["body"]["hold"] for r in out] == [
        {"on_hold": True},
        {"on_hold": True, "reason": "Review 2", "until": None},
        {"on_hold": True},
    ]
    with sqlite3.connect(state_path) as conn:
        rows = conn.execute("SELECT number, export_status, hold_reason FROM orders ORDER BY number").fetchall()
    assert rows == [("1", "held", "Review 1"), ("2", "held", "Review 2"), ("3", "held", "Review 3")]


def test_a_set_value_no_record_may_carry_is_refused_when_the_rules_load(invoke: Invoke, tmp_path: Path) -> None:
    """TOML reads integers of any size; one beyond 64 bits in a `set` would break the store's window (review finding)."""
    rules = tmp_path / "big.toml"
    rules.write_text('[[rules]]\nname = "big"\nhold = "x"\nset = { "extra_data.big" = 99999999999999999999 }\n')
    result = invoke(["apply-rules", "--rules", str(rules)], input=stream(order("1")))
    assert result.exit_code == 78 and result.stdout == ""
    assert "set.extra_data.big': integer out of range" in result.stderr and "Traceback" not in result.stderr
