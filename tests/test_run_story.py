"""The story of a run: ``state runs`` keeps the command line (secrets masked), the exit code and the first error."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from flowkit.cli import console
from tests.conftest import Invoke, record_line

PASSWORD = "Zq7-run-story-secret-99"


def _runs(invoke: Invoke) -> list[dict[str, object]]:
    result = invoke(["state", "runs", "--json", "--limit", "10"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_failed_delivery_keeps_its_command_line_exit_code_and_reason(invoke: Invoke) -> None:
    url = f"sftp://mis:{PASSWORD}@127.0.0.1:{_closed_port()}/in/"
    payload = record_line("payload", "1203", "<order/>", type="application/xml")
    result = invoke(["deliver", "--to", url], input=payload)
    assert result.exit_code == 75, result.output
    run = _runs(invoke)[0]
    assert run["command"] == "deliver"
    assert run["exit_code"] == 75
    assert run["args"][-3:-1] == ["deliver", "--to"] and run["args"][-1].startswith("sftp://mis:")
    assert "127.0.0.1" in run["args"][-1]
    assert "not sent" in str(run["error"]) or "refused" in str(run["error"])
    assert PASSWORD not in json.dumps(run)


def test_a_partial_run_names_its_first_failing_record(invoke: Invoke) -> None:
    good = json.loads((Path(__file__).parent.parent / "samples" / "orders" / "1203.json").read_text())
    lines = record_line("order", "1203", good) + record_line("order", "bad-1", {"number": "bad-1", "lines": "none"})
    lines += record_line("order", "bad-2", {"number": "bad-2", "lines": 7})
    rules = Path(__file__).parent.parent / "samples" / "demo-rules.toml"
    result = invoke(["apply-rules", "--rules", str(rules)], input=lines)
    assert result.exit_code == 1, result.output
    run = _runs(invoke)[0]
    assert run["exit_code"] == 1 and run["status"] == "partial"
    assert str(run["error"]).startswith("record 'bad-1': ") and "2 record(s) failed, 1 done" in str(run["error"])


def test_a_good_run_exits_zero_with_no_error(invoke: Invoke) -> None:
    good = json.loads((Path(__file__).parent.parent / "samples" / "orders" / "1204.json").read_text())
    rules = Path(__file__).parent.parent / "samples" / "demo-rules.toml"
    result = invoke(["apply-rules", "--rules", str(rules)], input=record_line("order", "1204", good))
    assert result.exit_code == 0, result.output
    run = _runs(invoke)[0]
    assert (run["exit_code"], run["error"], run["status"]) == (0, None, "ok")
    assert run["args"][-3:] == ["apply-rules", "--rules", str(rules)] and "--state" in run["args"]


def test_tables_wrap_long_values_instead_of_cutting_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    stamp, number = "2026-12-04T20:36:03.123456Z", "300000001234567890123"
    console.table(
        "runs", ("id", "started", "ended", "key", "status", "counts"), [(1, stamp, stamp, number, "ok", "{}")], to_stdout=True
    )
    out = capsys.readouterr().out
    assert "…" not in out
    columns: dict[int, str] = {}
    for line in out.splitlines():
        if line.count("│") >= 6:  # a row of the body, folded over several lines
            for index, cell in enumerate(line.split("│")):
                columns[index] = columns.get(index, "") + cell.strip()
    assert columns[2] == stamp and columns[3] == stamp and columns[4] == number


def test_state_show_names_the_rule_behind_a_hold(invoke: Invoke) -> None:
    order = json.loads((Path(__file__).parent.parent / "samples" / "orders" / "1203.json").read_text())
    rules = Path(__file__).parent.parent / "samples" / "demo-rules.toml"
    result = invoke(["apply-rules", "--rules", str(rules)], input=record_line("order", "1203", order))
    assert result.exit_code == 0, result.output
    story = json.loads(invoke(["state", "show", "1203", "--json"]).stdout)
    held = [e for e in story["events"] if e["event"] == "held"]
    assert held and held[0]["detail"] == {"reason": "Held for review", "rule": "hold quantities over 4 of business cards"}


def test_a_bug_outside_the_record_loop_is_one_line_and_exit_70(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowkit.deliver import run as deliver_run

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(deliver_run, "deliver_all", broken)
    out = tmp_path / "out"
    out.mkdir()
    result = invoke(["deliver", "--to", out.as_uri() + "/"], input=record_line("payload", "1", "<o/>", type="application/xml"))
    assert result.exit_code == 70
    assert result.stderr.strip() == (
        "flowkit: error: internal error (ValueError: a bug); please report it (run with -vv for the traceback)"
    )
    run = _runs(invoke)[0]
    assert (run["status"], run["exit_code"]) == ("crashed", 70)
