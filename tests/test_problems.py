"""All problems at once: orders, record lines, configs and rules files name every problem, up to a cap.

A failed record keeps its one stderr line (the problems joined by "; ", then "and N more"),
and its error record (and JSON log line) lists them as {"path", "message"} objects; a config
or rules file prints each problem as a file:line line of its own, then the line counting them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import DATA, ROOT, Invoke, record_line, records

from flowkit.problems import CAP

FIVE = [
    "$.number",
    "$.placed_at",
    "$.currency",
    "$.lines[0].id",
    "$.lines[0].quantity",
]


def sample(number: str = "1204") -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads((ROOT / "samples" / "orders" / f"{number}.json").read_bytes())
    return value


def five_mistakes() -> dict[str, Any]:
    order = sample()
    order["number"] = 1299
    order["placed_at"] = "yesterday"
    order["currency"] = "eur"
    del order["lines"][0]["id"]
    order["lines"][0]["quantity"] = "two"
    return order


def stream(*bodies: dict[str, Any]) -> str:
    return "".join(record_line("order", str(body["number"]), body) for body in bodies)


def failed_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("flowkit: record ")]


@pytest.mark.parametrize("verbose", [[], ["-v"]])
def test_an_order_with_five_mistakes_names_all_five(invoke: Invoke, verbose: list[str]) -> None:
    result = invoke([*verbose, "render", "--format", "json"], input=stream(five_mistakes(), sample("1203")))
    assert result.exit_code == 1, result.stderr
    (line,) = failed_lines(result.stderr)  # still one line for the failed record
    assert line.startswith("flowkit: record '1299': order 1299 is not a valid flowkit.order/1 (5 problems): $.number: ")
    assert all(f"{path}: " in line for path in FIVE) and "more" not in line
    error, payload = records(result.stdout)
    assert payload["kind"] == "payload" and error["kind"] == "error"
    assert [p["path"] for p in error["body"]["problems"]] == FIVE
    assert error["body"]["problem_count"] == 5
    assert error["body"]["problems"][4] == {"path": "$.lines[0].quantity", "message": "expected integer, got string"}
    assert error["body"]["error"] == line.removeprefix("flowkit: record '1299': ")


def test_a_raw_order_names_all_five_on_its_error_line(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "1299.json"
    path.write_text(json.dumps(five_mistakes()), encoding="utf-8")
    result = invoke(["render", str(path)])
    assert result.exit_code == 65 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("flowkit: error: order 1299 is not a valid flowkit.order/1 (5 problems): ")
    assert all(f"{path}: " in line for path in FIVE)


def test_json_logs_carry_the_problems(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["--log-format", "json", "render"], input=stream(five_mistakes()))
    assert result.exit_code == 65
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    (failed,) = [line for line in lines if line["event"] == "record-failed"]
    assert [p["path"] for p in failed["problems"]] == FIVE and failed["key"] == "1299"
    path = tmp_path / "1299.json"
    path.write_text(json.dumps(five_mistakes()), encoding="utf-8")
    result = invoke(["--log-format", "json", "render", str(path)])  # a raw document: its error line
    (error,) = [json.loads(line) for line in result.stderr.splitlines()]
    assert error["event"] == "error" and [p["path"] for p in error["problems"]] == FIVE


def test_the_cap_names_the_first_and_counts_the_rest(invoke: Invoke) -> None:
    order = sample()
    line = order["lines"][0]
    del line["id"]
    order["lines"] = [copy.deepcopy(line) for _ in range(CAP + 5)]  # one problem a line
    result = invoke(["render"], input=stream(order))
    assert result.exit_code == 65
    (text,) = failed_lines(result.stderr)
    assert f"({CAP + 5} problems): " in text and text.endswith("; and 5 more")
    assert text.count("required member missing") == CAP
    assert f"$.lines[{CAP - 1}].id" in text and f"$.lines[{CAP}].id" not in text
    (error,) = records(result.stdout)
    assert len(error["body"]["problems"]) == CAP and error["body"]["problem_count"] == CAP + 5


def test_one_problem_reads_as_before(invoke: Invoke) -> None:
    order = sample()
    order["currency"] = "eur"
    result = invoke(["render"], input=stream(order))
    assert failed_lines(result.stderr) == [
        "flowkit: record '1204': order 1204 is not a valid flowkit.order/1: $.currency: \"eur\" is not valid (pattern ^[A-Z]{3}$)"
    ]
    (error,) = records(result.stdout)
    assert error["body"]["problems"] == [{"path": "$.currency", "message": '"eur" is not valid (pattern ^[A-Z]{3}$)'}]


def test_a_config_with_three_mistakes_prints_three_file_lines(invoke: Invoke, tmp_config: Any) -> None:
    path = tmp_config('[state]\npath = "s.db"\nbogus = 1\n\n[render]\npaymnet = true\nformat = "pdf"\n')
    result = invoke(["render", str(ROOT / "samples" / "orders" / "1203.json")], config=path)
    assert result.exit_code == 78 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"flowkit: {path}:3: unknown key 'state.bogus' (known: path, url, password, lock_timeout, busy_timeout, retention_days, dead_retention_days)",
        f"flowkit: {path}:6: unknown key 'render.paymnet' (did you mean 'payment'?)",
        f"flowkit: {path}:7: unknown value for 'render.format' (known: xml, json, orderflow)",
        f"flowkit: error: {path}: 3 problem(s)",
    ]
    result = invoke(["--log-format", "json", "render", "-"], config=path, input=stream(sample()))
    events = [json.loads(line)["event"] for line in result.stderr.splitlines()]
    assert result.exit_code == 78 and events == ["config-problem"] * 3 + ["error"]


def test_the_config_cap(invoke: Invoke, tmp_config: Any) -> None:
    path = tmp_config("[state]\n" + "".join(f"bogus{i} = 1\n" for i in range(CAP + 3)))
    result = invoke(["render", str(ROOT / "samples" / "orders" / "1203.json")], config=path)
    lines = result.stderr.splitlines()
    assert result.exit_code == 78 and len(lines) == CAP + 1
    assert lines[-1] == f"flowkit: error: {path}: {CAP + 3} problem(s)"


RULES = """\
[checks]
duplicate = "yes"
bogus = 1

[[rules]]
name = "big"
stop = 3
colour = "red"
hold = "big order"
[rules.when]
total_quantity = "> 10"
country = "GB"

[[rules]]
name = "big"
hold = ""

[extra]
x = 1
"""


def test_a_rules_file_names_every_mistake_in_file_order(invoke: Invoke, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    result = invoke(["apply-rules", "--rules", str(rules), "--dry-run"], input=stream(sample()))
    assert result.exit_code == 78 and result.stdout == ""
    lines = result.stderr.splitlines()
    said = [line.removeprefix(f"flowkit: {rules}:") for line in lines[:-1]]
    assert [int(line.split(":")[0]) for line in said] == [2, 3, 7, 8, 12, 15, 16, 18]
    assert said[0] == "2: 'checks.duplicate' must be true or false"
    assert "unknown key 'checks.bogus'" in said[1]
    assert "rule 'big': key 'stop': must be true or false" in said[2]
    assert "rule 'big': key 'colour': unknown key" in said[3]
    assert "rule 'big': key 'when.country': unknown condition 'country'" in said[4]
    assert "rule 'big': key 'name': another rule already has this name" in said[5]
    assert "rule 'big': key 'hold': must be a non-empty string" in said[6]
    assert "unknown key 'extra'" in said[7]
    assert lines[-1] == f"flowkit: error: {rules}: 8 problem(s)"


def test_a_rule_with_one_mistake_reads_as_before(invoke: Invoke, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\nname = "x"\nhold = "h"\nstop = 1\n', encoding="utf-8")
    result = invoke(["apply-rules", "--rules", str(rules), "--dry-run"], input=stream(sample()))
    assert result.exit_code == 78
    assert result.stderr.splitlines() == [f"flowkit: error: {rules}:4: rule 'x': key 'stop': must be true or false"]


BAD_LINE = {"flowkit": "record/1", "key": "9", "type": "text/plain", "body": {}, "meta": 3}


def test_a_record_line_names_every_break_of_the_contract(invoke: Invoke) -> None:
    text = json.dumps(BAD_LINE) + "\n" + stream(sample())
    result = invoke(["render", "--format", "json"], input=text)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "flowkit: <stdin>:1: not a valid record/1 line (3 problems): $.kind: missing or not a string; "
        "$.body: must be a string for type 'text/plain'; $.meta: must be an object"
    )
    result = invoke(["--log-format", "json", "render", "--format", "json"], input=text)
    failed = json.loads(result.stderr.splitlines()[0])
    assert failed["event"] == "record-failed" and failed["key"] == "9"
    assert [p["path"] for p in failed["problems"]] == ["$.kind", "$.body", "$.meta"]


def test_a_bad_message_record_becomes_an_error_record_with_its_problems(invoke: Invoke) -> None:
    orders = str(DATA / "import_shipment" / "orders.ndjson")
    result = invoke(["import-shipment", "--orders", orders, "-"], input=json.dumps(BAD_LINE) + "\n")
    assert result.exit_code == 65
    (error,) = records(result.stdout)
    assert error["kind"] == "error" and error["key"] == "9"
    assert error["body"]["problems"] == [
        {"path": "$.kind", "message": "missing or not a string"},
        {"path": "$.body", "message": "must be a string for type 'text/plain'"},
        {"path": "$.meta", "message": "must be an object"},
    ]
    assert error["body"]["problem_count"] == 3
