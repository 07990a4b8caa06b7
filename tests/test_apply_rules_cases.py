"""flowkit apply-rules test: golden decisions, diffs with the why, JUnit, --update, bad cases (65), bad rules (78)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from apply_rules_helpers import order
from conftest import ROOT, Invoke, record_line
from lxml import etree

SAMPLES = ROOT / "samples"
RULES = SAMPLES / "rules.toml"

# A rules file that exercises every part of a decision.
PROBE_RULES = """
[checks]
disabled_sources = ["old-shop"]

[[rules]]
name = "big"
hold = "Too many for {channel}"
add_tags = ["Review"]
note = "checked by {rule}"
set = { "shipping.carrier" = "DPD", "extra_data.Priority" = 1, "extra_data.cost-code" = "X" }
alert = { message = "Order {number}: {total_quantity} units", severity = "error" }
when.any_line_quantity = "> 5"

[[rules]]
name = "test orders"
cancel = "Test order"
when.field_matches = { "customer.email" = "^test@" }
"""


def _write(folder: Path, name: str, doc: Any, expected: Any = None, settings: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.in.json").write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    if expected is not None:
        (folder / f"{name}.out.json").write_bytes(orjson.dumps(expected, option=orjson.OPT_INDENT_2))
    if settings is not None:
        (folder / f"{name}.toml").write_text(settings, encoding="utf-8")


def _rules(tmp_path: Path, text: str = PROBE_RULES) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _sample_case(tmp_path: Path, name: str) -> Path:
    """A copy of one sample case (and the folder settings) beside a copy of the sample rules and maps."""
    shutil.copy(RULES, tmp_path / "rules.toml")
    shutil.copytree(SAMPLES / "apply-rules", tmp_path / "apply-rules")
    cases = tmp_path / "rules-cases"
    cases.mkdir()
    for path in SAMPLES.joinpath("rules-cases").glob(f"{name}.*"):
        shutil.copy(path, cases / path.name)
    shutil.copy(SAMPLES / "rules-cases" / "apply-rules.toml", cases / "apply-rules.toml")
    return cases


def test_the_samples_pass_and_junit_parses(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    report = tmp_path / "build" / "rules-junit.xml"
    result = invoke(["apply-rules", "test", "--rules", str(RULES), str(SAMPLES / "rules-cases"), "--junit", str(report)])
    assert result.exit_code == 0, result.stdout + result.stderr
    count = len(list((SAMPLES / "rules-cases").glob("*.in.json")))
    assert count >= 8 and f"{count} passed, 0 failed" in result.stdout
    suites = etree.parse(str(report)).getroot()
    assert suites.get("name") == "flowkit apply-rules test"
    suite = suites[0]
    assert suite.get("tests") == str(count) and suite.get("failures") == "0"
    assert {case.get("name") for case in suite} >= {"1203-held-for-review", "1203-duplicate", "1208-insufficient-stock"}
    assert not state_path.exists(), "a case opened the user's state store"


def test_a_decision_holds_holds_tags_notes_changed_fields_alerts(invoke: Invoke, tmp_path: Path, tmp_config: Any) -> None:
    config = tmp_config(f'[destinations.ops]\ntype = "hotfolder"\npath = "{tmp_path / "ops"}"\n')
    _write(tmp_path / "cases", "big", order("7", lines=[{**order()["lines"][0], "quantity": 6}]))
    rules = _rules(tmp_path, PROBE_RULES.replace('severity = "error"', 'severity = "error", to = "ops"'))
    args = ["apply-rules", "test", "--rules", str(rules), str(tmp_path / "cases"), "--update"]
    result = invoke(args, config=config)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "UPDATED " in result.stdout
    decision = orjson.loads((tmp_path / "cases" / "big.out.json").read_bytes())
    assert decision == {
        "matched": ["big"],
        "holds": [{"by": "big", "reason": "Too many for web"}],
        "cancelled": None,
        "tags": ["Review"],
        "notes": ["checked by big"],
        "changed": {"shipping.carrier": "DPD", "extra_data.Priority": 1, "extra_data['cost-code']": "X"},
        "alerts": [{"rule": "big", "message": "Order 7: 6 units", "severity": "error", "to": "ops"}],
    }
    assert not (tmp_path / "ops").exists() or not any((tmp_path / "ops").iterdir()), "an alert was delivered"


def test_failure_prints_the_diff_and_why_writes_junit_and_exits_1(invoke: Invoke, tmp_path: Path) -> None:
    cases = _sample_case(tmp_path, "1203-held-for-review")
    expected = cases / "1203-held-for-review.out.json"
    expected.write_text(expected.read_text().replace('"Held for review"', '"Held for a look"'))
    report = tmp_path / "junit.xml"
    result = invoke(["apply-rules", "test", "--rules", str(tmp_path / "rules.toml"), str(cases), "--junit", str(report)])
    assert result.exit_code == 1
    assert "FAIL " in result.stdout and "decision differs from 1203-held-for-review.out.json" in result.stdout
    assert '-      "reason": "Held for a look"' in result.stdout and '+      "reason": "Held for review"' in result.stdout
    assert "  why: rule 'hold quantities over 4' matched: any line quantity > 4" in result.stdout
    assert "0 passed, 1 failed" in result.stdout and "1 of 1 apply-rules case(s) failed" in result.stderr
    case = etree.parse(str(report)).find(".//testcase")
    assert case is not None and case.get("name") == "1203-held-for-review"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "apply-rules"
    assert '+      "reason": "Held for review"' in (failure.text or "") and "why: " in (failure.text or "")


def test_update_creates_and_rewrites_the_goldens(invoke: Invoke, tmp_path: Path) -> None:
    rules = str(_rules(tmp_path))
    _write(tmp_path, "new", order("1"))
    _write(tmp_path, "old", order("2", customer={"email": "test@example.com"}), expected={"matched": []})
    missing = invoke(["apply-rules", "test", "--rules", rules, str(tmp_path)])
    assert missing.exit_code == 1 and "no expected decision new.out.json (run with --update to create it)" in missing.stdout
    updated = invoke(["apply-rules", "test", "--rules", rules, "--update", str(tmp_path)])
    assert updated.exit_code == 0 and updated.stdout.count("UPDATED ") == 2
    assert orjson.loads((tmp_path / "old.out.json").read_bytes())["cancelled"] == {"by": "test orders", "reason": "Test order"}
    assert orjson.loads((tmp_path / "new.out.json").read_bytes())["holds"] == []
    again = invoke(["apply-rules", "test", "--rules", rules, str(tmp_path)])
    assert again.exit_code == 0 and "2 passed, 0 failed" in again.stdout


def test_state_fixtures_hold_duplicates_short_stock_and_honour_releases(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    rules = _rules(tmp_path, '[checks]\nstock_target = "web"\n[[rules]]\nname = "all"\nhold = "Always"\n')
    shipped = order("9")
    _write(tmp_path, "dup", shipped, settings='[state]\norders = [{ number = "9", status = "exported" }]\n')
    _write(tmp_path, "requeued", shipped, settings='[state]\norders = [{ number = "9", status = "queued", id = "fk-1203" }]\n')
    _write(tmp_path, "short", shipped, settings='[state]\nstock = [{ sku = "V789", quantity = 4 }]\n')
    _write(tmp_path, "enough", shipped, settings='[state]\nstock = [{ sku = "V789", quantity = 5 }]\n')
    _write(tmp_path, "released", shipped, settings='[state]\nreleased = ["9"]\n')
    result = invoke(["apply-rules", "test", "--rules", str(rules), "--update", str(tmp_path)])
    assert result.exit_code == 0, result.stdout + result.stderr

    def holds(name: str) -> list[str]:
        return [h["by"] for h in orjson.loads((tmp_path / f"{name}.out.json").read_bytes())["holds"]]

    assert holds("dup") == ["check:duplicate", "all"]
    assert holds("requeued") == ["all"]  # the same order, queued but not exported: no duplicate
    assert holds("short") == ["check:insufficient_quantity", "all"]
    assert holds("enough") == ["all"]
    assert holds("released") == []
    assert not state_path.exists(), "a case opened the user's state store"


def test_a_record_input_brings_its_meta_and_settings_add_theirs(invoke: Invoke, tmp_path: Path) -> None:
    rules = str(_rules(tmp_path))
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "old.in.json").write_text(record_line("order", "3", order("3"), {"source": "old-shop"}))
    _write(tmp_path / "cases", "meta", order("4"))
    (tmp_path / "cases" / "apply-rules.toml").write_text('meta = { channel = "pos" }\n')
    (tmp_path / "cases" / "meta.toml").write_text('meta = { source = "old-shop" }\n')
    assert invoke(["apply-rules", "test", "--rules", rules, "--update", str(tmp_path / "cases")]).exit_code == 0
    for name in ("old", "meta"):
        decision = orjson.loads((tmp_path / "cases" / f"{name}.out.json").read_bytes())
        assert decision["holds"] == [{"by": "check:disabled_source", "reason": "Disabled Source"}], name


def test_expect_error(invoke: Invoke, tmp_path: Path) -> None:
    rules = str(_rules(tmp_path))
    _write(tmp_path, "nonumber", {"lines": []}, settings='expect_error = "$.number: required member missing"\n')
    assert invoke(["apply-rules", "test", "--rules", rules, str(tmp_path)]).exit_code == 0
    (tmp_path / "nonumber.toml").write_text('expect_error = "something else"\n')
    result = invoke(["apply-rules", "test", "--rules", rules, str(tmp_path)])
    assert result.exit_code == 1 and "$.number: required member missing" in result.stdout


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"c.in.json": '{"number": "1",\n "lines": [\n'}, "c.in.json:3: invalid JSON"),
        ({"c.in.json": "[1]"}, "c.in.json: a case holds one order"),
        ({"c.in.json": '{"number": "1"}', "c.toml": "meta = {\n"}, "c.toml:1: invalid TOML"),
        ({"c.in.json": '{"number": "1"}', "c.toml": '# x\nexpect_eror = "y"\n'}, "c.toml:2: unknown key 'expect_eror'"),
        ({"c.in.json": '{"number": "1"}', "apply-rules.toml": 'meta = "web"\n'}, "apply-rules.toml:1: 'meta' must be a table"),
        (
            {"c.in.json": '{"number": "1"}', "c.toml": '[state]\nstock = [{ sku = "A", quantity = -1 }]\n'},
            "c.toml:2: 'state.stock[0].quantity' must be a whole number",
        ),
        (
            {"c.in.json": '{"number": "1"}', "c.toml": '[state]\norders = [{ number = "1" }]\n'},
            "c.toml:2: 'state.orders[0]' needs 'status'",
        ),
        (
            {"c.in.json": '{"number": "1"}', "c.out.json": '{\n  "matched": [],\n  "hold": []\n}'},
            "c.out.json:3: unknown key 'hold'",
        ),
    ],
    ids=["json", "not-an-order", "toml", "setting", "meta", "stock", "orders", "expected"],
)
def test_a_bad_case_file_exits_65_naming_file_and_line(invoke: Invoke, tmp_path: Path, files: dict[str, str], where: str) -> None:
    cases = tmp_path / "cases"
    _write(cases, "a-good-one", order("5"))
    for name, text in files.items():
        (cases / name).write_text(text, encoding="utf-8")
    result = invoke(["apply-rules", "test", "--rules", str(_rules(tmp_path)), "--update", str(cases)])
    assert result.exit_code == 65, result.stdout + result.stderr
    assert f"{cases}/{where}" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == "" and not (cases / "a-good-one.out.json").exists(), "a case ran before all were read"


def test_a_rules_problem_exits_78(invoke: Invoke, tmp_path: Path, tmp_config: Any) -> None:
    _write(tmp_path / "cases", "c", order("1"))
    bad = _rules(tmp_path, '[[rules]]\nname = "x"\n\nhold = 5\n')
    result = invoke(["apply-rules", "test", "--rules", str(bad), str(tmp_path / "cases")])
    assert result.exit_code == 78 and f"{bad}:4: rule 'x': key 'hold'" in result.stderr
    missing = invoke(["apply-rules", "test", "--rules", str(tmp_path / "nope.toml"), str(tmp_path / "cases")])
    assert missing.exit_code == 78 and "rules file not found" in missing.stderr
    unknown = _rules(
        tmp_path, '[[rules]]\nname = "x"\nwhen.any_line_quantity = "> 1"\nalert = { message = "m", to = "nowhere" }\n'
    )
    nowhere = invoke(["apply-rules", "test", "--rules", str(unknown), str(tmp_path / "cases")])
    assert nowhere.exit_code == 78 and "nowhere" in nowhere.stderr
    assert invoke(["apply-rules", "test", str(tmp_path / "cases")]).exit_code == 2  # no rules anywhere
    empty = tmp_path / "empty"
    empty.mkdir()
    none = invoke(["apply-rules", "test", "--rules", str(_rules(tmp_path)), str(empty)])
    assert none.exit_code == 2 and "no cases (NAME.in.json)" in none.stderr


def test_rules_come_from_the_config_as_apply_rules_reads_them(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    _rules(folder, '[[rules]]\nname = "tag all"\nadd_tags = ["seen"]\n')
    config = folder / "flowkit.toml"
    config.write_text('[apply-rules]\nrules = "rules.toml"\n', encoding="utf-8")
    _write(tmp_path / "cases", "c", order("1"), expected=None)
    result = invoke(["apply-rules", "test", "--update", str(tmp_path / "cases")], config=config)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert orjson.loads((tmp_path / "cases" / "c.out.json").read_bytes())["tags"] == ["seen"]


def test_apply_rules_still_reads_stdin_and_files(invoke: Invoke, tmp_path: Path) -> None:
    rules = str(_rules(tmp_path))
    piped = invoke(["apply-rules", "--rules", rules, "--dry-run"], input=orjson.dumps(order("8", customer={"email": "test@x"})))
    assert piped.exit_code == 0 and orjson.loads(piped.stdout)["status"] == "cancelled"
    (tmp_path / "test").write_bytes(orjson.dumps(order("9")))
    named = invoke(["apply-rules", "--rules", rules, "--dry-run", str(tmp_path / "test")])
    assert named.exit_code == 0 and orjson.loads(named.stdout)["number"] == "9"
