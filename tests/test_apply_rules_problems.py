"""apply-rules names every problem of an order it refuses, as render does (issue 21, "All problems at once").

Its quick shape check and lenient readers stop at the first value they cannot read; only then
the full flowkit.order/1 validation runs, on that order alone, and the refusal lists every
problem with its JSON path (stderr, the error record, the JSON log line). A problem a rule's
``set`` made names the rule and where it is; a line is named by its index, never "None".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from apply_rules_helpers import apply, line, order
from conftest import ROOT, Invoke, record_line, records, store_rows

from flowkit.apply_rules import common, refusal
from flowkit.apply_rules.unreadable import Unreadable

RULES = str(ROOT / "samples" / "rules.toml")
FOUR = [
    ("$.currency", "expected string or null, got integer"),
    ("$.totals", "expected object or null, got string"),
    ("$.lines[0].id", "required member missing"),
    ("$.lines[0].quantity", "expected integer, got string"),
]
SAID = "order 1203 is not a valid flowkit.order/1 (4 problems): " + "; ".join(f"{path}: {text}" for path, text in FOUR)


def sample(number: str) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads((ROOT / "samples" / "orders" / f"{number}.json").read_bytes())
    return value


def four_mistakes() -> dict[str, Any]:
    """samples/orders/1203.json with its first line's quantity "x" and no id, currency 5 and totals "no"."""
    bad = sample("1203")
    bad["lines"][0]["quantity"] = "x"
    del bad["lines"][0]["id"]
    bad["currency"] = 5
    bad["totals"] = "no"
    return bad


def stream(*bodies: dict[str, Any]) -> str:
    return "".join(record_line("order", str(body["number"]), body, {"source": "shop"}) for body in bodies)


def numbers_stored(state_path: Any) -> list[str]:
    return sorted(number for (number,) in store_rows(state_path, "SELECT number FROM orders"))


def test_a_raw_order_names_its_four_problems_as_render_does(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(four_mistakes()), encoding="utf-8")
    rendered = invoke(["render", str(path)])
    applied = invoke(["apply-rules", "--rules", RULES, str(path)])
    assert (applied.exit_code, applied.stdout) == (65, "")
    assert applied.stderr.splitlines() == [f"flowkit: error: {SAID}"]
    assert applied.stderr == rendered.stderr  # the same words as render
    assert "None" not in applied.stderr


def test_a_stream_goes_on_past_the_bad_order_and_stores_nothing_of_it(invoke: Invoke, state_path: Any) -> None:
    held = sample("1203")  # a valid 1203 is held by the samples' "hold quantities over 4": stored
    held["number"] = "1213"
    result = invoke(["apply-rules", "--rules", RULES], input=stream(sample("1204"), four_mistakes(), held))
    assert result.exit_code == 1, result.stderr
    failed = [text for text in result.stderr.splitlines() if text.startswith("flowkit: record ")]
    assert failed == [f"flowkit: record '1203': {SAID}"]
    out = [r for r in records(result.stdout) if r["kind"] != "alert"]  # 1213 has 8 units: "large order alert"
    assert [(r["kind"], r["key"]) for r in out] == [("order", "1204"), ("error", "1203"), ("order", "1213")]
    body = out[1]["body"]
    assert (body["error"], body["exit_code"], body["command"]) == (SAID, 65, "apply-rules")
    assert body["problems"] == [{"path": path, "message": text} for path, text in FOUR]
    assert body["problem_count"] == 4
    assert out[2]["body"]["hold"]["on_hold"] is True
    assert "1203" not in numbers_stored(state_path) and "1213" in numbers_stored(state_path)


def test_a_quick_check_refusal_lists_the_schemas_problems_too(invoke: Invoke, state_path: Any) -> None:
    """The shape check stops at $.lines[0].sku; the order (held by a rule if it could be read) has two more problems."""
    bad = sample("1203")
    bad["lines"][0]["sku"] = ["V789"]
    bad["currency"] = "eur"
    bad["hold"] = "yes"
    result = invoke(["apply-rules", "--rules", RULES], input=stream(bad, sample("1204")))
    assert result.exit_code == 1, result.stderr
    error = records(result.stdout)[0]
    assert error["kind"] == "error" and error["body"]["problem_count"] == 3
    assert [p["path"] for p in error["body"]["problems"]] == ["$.hold", "$.currency", "$.lines[0].sku"]
    assert error["body"]["error"].startswith("order 1203 is not a valid flowkit.order/1 (3 problems): $.hold: ")
    assert numbers_stored(state_path) == ["1204"]  # held by "hold quantities over 4" (5 units), as 1203 would be


def test_json_logs_carry_every_problem(invoke: Invoke) -> None:
    result = invoke(["--log-format", "json", "apply-rules", "--rules", RULES], input=stream(four_mistakes()))
    assert result.exit_code == 65
    (failed,) = [entry for entry in map(json.loads, result.stderr.splitlines()) if entry["event"] == "record-failed"]
    assert failed["key"] == "1203" and failed["problems"] == [{"path": path, "message": text} for path, text in FOUR]


def test_an_order_without_a_number_lists_every_problem(invoke: Invoke) -> None:
    bad = sample("1204")
    del bad["number"]
    bad["currency"] = 5
    result = invoke(["apply-rules", "--rules", RULES], input=record_line("order", "k1", bad))
    assert result.exit_code == 65
    (error,) = records(result.stdout)
    assert [p["path"] for p in error["body"]["problems"]] == ["$.number", "$.currency"]
    assert error["body"]["error"].startswith("order k1 is not a valid flowkit.order/1 (2 problems): $.number: required member")


SET_RULES = """\
[[rules]]
name = "off"
enabled = false
set = { "customer" = 1 }

[[rules]]
name = "oops"
when.tag = "oops"
set = { "lines.attributes" = "none" }

[[rules]]
name = "review"
hold = "Review"
"""


def test_a_set_that_breaks_the_shape_names_the_rule_and_the_path(invoke: Invoke, tmp_path: Path, state_path: Any) -> None:
    good = order("1", lines=[line("A", 1)])
    broken = order("2", tags=["oops"], currency=5, lines=[line("A", 1), line("B", 2)])
    result = apply(invoke, tmp_path, SET_RULES, good, broken)
    assert result.exit_code == 1, result.stderr
    where = f"set by rule 'oops' at {tmp_path / 'rules.toml'}:9"
    problems = [
        ("$.currency", "expected string or null, got integer"),  # the input's own: no rule named
        ("$.lines[0].attributes", f"expected array, got string ({where})"),
        ("$.lines[1].attributes", f"expected array, got string ({where})"),
    ]
    said = "order 2 is not a valid flowkit.order/1 (3 problems): " + "; ".join(f"{p}: {m}" for p, m in problems)
    assert result.stderr.splitlines()[0] == f"flowkit: record '2': {said}"
    error = records(result.stdout)[1]
    assert error["body"]["problems"] == [{"path": p, "message": m} for p, m in problems]
    assert numbers_stored(state_path) == ["1"]  # "review" holds both; the broken one is not kept


def test_a_set_above_a_path_is_named_for_what_it_made_there(invoke: Invoke, tmp_path: Path) -> None:
    """``set`` of lines.x where lines was null makes lines an object: the rule made "$.lines", and is named."""
    rules = '[[rules]]\nname = "mark"\nset = { "lines.kind" = "x" }\n'
    result = apply(invoke, tmp_path, rules, order("5", lines=None))
    assert result.exit_code == 65
    (error,) = records(result.stdout)
    assert error["body"]["problems"] == [
        {"path": "$.lines", "message": f"expected array, got object (set by rule 'mark' at {tmp_path / 'rules.toml'}:3)"}
    ]


def test_a_line_without_an_id_is_named_by_its_index_or_number() -> None:
    """The lenient quantity reader names a line by id, else line_number, else as one without an id; never None."""
    with pytest.raises(Unreadable) as caught:
        common.quantity({"line_number": 3, "quantity": "x"})
    assert caught.value.format_message() == "line number 3: quantity 'x' is not a number"
    with pytest.raises(Unreadable) as caught:
        common.quantity({"quantity": [1]})
    assert "None" not in caught.value.format_message()
    valid = order("7", lines=[line("A", 1), line("B", 2)])  # a problem the schema does not know is listed alone
    error = refusal.refused(valid, "7", Unreadable(".quantity", "too big to read", line=valid["lines"][1]))
    assert error.format_message() == "order 7 cannot be read by apply-rules: $.lines[1].quantity: too big to read"
    assert (error.problems, error.problem_count, error.exit_code) == ((("$.lines[1].quantity", "too big to read"),), 1, 65)
