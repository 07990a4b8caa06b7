"""push-stock: every rule of the stock spec, driven through the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from flowkit.store import Store
from tests.conftest import Invoke, records

DATA = Path(__file__).parent / "data" / "push-stock"
SAMPLES = Path(__file__).parent.parent / "samples" / "stock"


def msg(seq: int | None, *lines: dict[str, Any]) -> str:
    body: dict[str, Any] = {"lines": list(lines)}
    if seq is not None:
        body["message_seq"] = seq
    return orjson.dumps(body).decode() + "\n"


def line(sku: str, qty: Any, seq: Any, **extra: Any) -> dict[str, Any]:
    return {"sku": sku, "qty": qty, "seq": seq, **extra}


def bodies(text: str) -> list[dict[str, Any]]:
    return [r["body"] for r in records(text) if r["kind"] == "stock-result"]


def ledger(state_path: Path, target: str = "web") -> dict[tuple[str, str], tuple[int, int]]:
    store = Store(state_path)  # either engine (FLOWKIT_TEST_STATE=postgresql)
    try:
        rows = store.conn.execute("SELECT sku, source, last_seq, qty FROM stock_ledger WHERE target = ?", (target,))
        return {(sku, source): (seq, qty) for sku, source, seq, qty in rows}
    finally:
        store.close()


def push(invoke: Invoke, text: str, *args: str) -> Any:
    return invoke(["push-stock", "--target", "web", *args], input=text)


def test_apply_then_duplicate_then_superseded_with_the_spec_messages(invoke: Invoke, state_path: Path) -> None:
    first = push(invoke, msg(1, line("MUG", 10, 5)))
    assert first.exit_code == 0, first.stderr
    [ok] = bodies(first.stdout)
    assert ok["result"] == "success" and ok["message"] == "Product Quantity Successfully Updated to 10"
    assert {
        k: ok[k]
        for k in ("sku", "source", "seq", "message_seq", "received", "adjusted_quotes", "adjusted_unsent", "qty", "in_stock")
    } == {
        "sku": "MUG",
        "source": "default",
        "seq": 5,
        "message_seq": 1,
        "received": 10,
        "adjusted_quotes": 0,
        "adjusted_unsent": 0,
        "qty": 10,
        "in_stock": True,
    }
    again = push(invoke, msg(2, line("MUG", 10, 5), line("MUG", 3, 4)))
    dup, stale = bodies(again.stdout)
    assert dup["result"] == "duplicate" and dup["message"] == "Duplicate Inventory Request Ignored."
    assert stale["result"] == "superseded"
    assert stale["message"] == ("Product quantity update to 3 discarded as already superseded by inventory record 5")
    assert ledger(state_path) == {("MUG", "default"): (5, 10)}
    assert "0 failure" in again.stderr and again.exit_code == 0


def test_an_old_seq_applied_before_is_a_duplicate_not_superseded(invoke: Invoke, state_path: Path) -> None:
    push(invoke, msg(1, line("MUG", 10, 5)) + msg(2, line("MUG", 12, 7)))
    result = push(invoke, msg(3, line("MUG", 10, 5), line("MUG", 9, 6)))
    assert [b["result"] for b in bodies(result.stdout)] == ["duplicate", "superseded"]
    assert ledger(state_path) == {("MUG", "default"): (7, 12)}


def test_lines_of_one_message_are_checked_against_each_other(invoke: Invoke, state_path: Path) -> None:
    result = push(invoke, msg(1, line("MUG", 3, 8), line("MUG", 4, 9), line("MUG", 5, 9)))
    low, high, repeat = bodies(result.stdout)
    assert low["result"] == "superseded" and "record 9" in low["message"]
    assert high["result"] == "success"
    assert repeat["result"] == "duplicate"
    assert ledger(state_path) == {("MUG", "default"): (9, 4)}


def test_sources_are_independent(invoke: Invoke, state_path: Path) -> None:
    result = push(invoke, msg(1, line("MUG", 3, 50, source="leeds"), line("MUG", 4, 2, source="bristol"), line("MUG", 6, 1)))
    assert [b["result"] for b in bodies(result.stdout)] == ["success"] * 3
    assert ledger(state_path) == {("MUG", "leeds"): (50, 3), ("MUG", "bristol"): (2, 4), ("MUG", "default"): (1, 6)}


def test_targets_are_independent(invoke: Invoke, state_path: Path) -> None:
    push(invoke, msg(1, line("MUG", 3, 50)))
    other = invoke(["push-stock", "--target", "b2b"], input=msg(1, line("MUG", 2, 10)))
    assert [b["result"] for b in bodies(other.stdout)] == ["success"]
    assert ledger(state_path, "b2b") == {("MUG", "default"): (10, 2)}


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (line("MUG", 3, None), "missing seq"),
        ({"sku": "MUG", "qty": 3}, "missing seq"),
        (line("MUG", "three", 4), "bad qty 'three': not an integer"),
        (line("MUG", 2.5, 4), "bad qty 2.5: not an integer"),
        (line("MUG", 3, "x7"), "bad seq 'x7': not a non-negative integer"),
        ({"qty": 3, "seq": 4}, "missing sku"),
        # beyond sqlite's integers: bad data naming the field, not an OverflowError in the store
        (line("MUG", 3, 2**63), f"bad seq {2**63}: beyond the signed 64-bit range (-2^63 to 2^63-1)"),
        (line("MUG", 3, 1e20), "bad seq 1e+20: beyond the signed 64-bit range (-2^63 to 2^63-1)"),
        (
            line("MUG", 3, "99999999999999999999"),
            "bad seq '99999999999999999999': beyond the signed 64-bit range (-2^63 to 2^63-1)",
        ),
        (line("MUG", 2**64 - 1, 4), f"bad qty {2**64 - 1}: beyond the signed 64-bit range (-2^63 to 2^63-1)"),
    ],
)
def test_a_failing_line_does_not_stop_the_others_nor_advance(
    invoke: Invoke, state_path: Path, bad: dict[str, Any], reason: str
) -> None:
    result = push(invoke, msg(7, bad, line("CAP", 1, 1)))
    failed, ok = bodies(result.stdout)
    assert failed["result"] == "failure" and failed["message"] == reason
    assert ok["result"] == "success"
    assert result.exit_code == 1
    assert reason in result.stderr and "Traceback" not in result.stderr
    assert ("MUG", "default") not in ledger(state_path)
    # the message was not marked processed: a corrected resend applies what failed
    fixed = push(invoke, msg(7, line("MUG", 3, 4), line("CAP", 1, 1)))
    assert [b["result"] for b in bodies(fixed.stdout)] == ["success", "duplicate"]
    assert fixed.exit_code == 0


def test_unknown_sku_fails_when_a_catalogue_is_configured(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    catalogue = tmp_path / "skus.csv"
    catalogue.write_text("sku,name\nMUG,Mug\n", encoding="utf-8")
    result = push(invoke, msg(1, line("MUG", 1, 1), line("GHOST", 1, 1)), "--catalogue", str(catalogue))
    assert [b["result"] for b in bodies(result.stdout)] == ["success", "failure"]
    assert "unknown SKU 'GHOST'" in result.stderr
    assert result.exit_code == 1


def test_all_lines_failing_is_a_data_error(invoke: Invoke) -> None:
    result = push(invoke, msg(1, line("MUG", 1, None)))
    assert result.exit_code == 65


def test_message_dedupe_is_scoped_by_kind_and_target(invoke: Invoke, state_path: Path) -> None:
    push(invoke, msg(41, line("MUG", 1, 1)))
    replay = push(invoke, msg(41, line("MUG", 9, 2)))
    [body] = bodies(replay.stdout)
    assert body["result"] == "duplicate" and body["duplicate_message"] is True
    assert "message 41 already processed for target 'web'" in replay.stderr
    assert ledger(state_path) == {("MUG", "default"): (1, 1)}
    store = Store(state_path)
    with store.transaction() as conn:
        conn.execute("INSERT INTO processed_messages VALUES ('shipment', 'web', 42, '2026-01-01', NULL)")
    store.close()
    fresh = push(invoke, msg(42, line("MUG", 9, 2)))
    assert [b["result"] for b in bodies(fresh.stdout)] == ["success"]


def test_replay_after_state_purge_is_still_detected(invoke: Invoke, state_path: Path) -> None:
    push(invoke, msg(1, line("MUG", 10, 5)) + msg(2, line("MUG", 11, 6)))
    purged = invoke(["state", "purge", "--older-than", "0"])
    assert purged.exit_code == 0
    assert orjson.loads(purged.stdout)["deleted"]["events"] >= 2
    replay = push(invoke, msg(1, line("MUG", 10, 5)))
    assert bodies(replay.stdout)[0]["duplicate_message"] is True
    resent_lines = push(invoke, msg(3, line("MUG", 10, 5), line("MUG", 11, 6)))
    assert [b["result"] for b in bodies(resent_lines.stdout)] == ["duplicate", "duplicate"]
    assert ledger(state_path) == {("MUG", "default"): (6, 11)}


def test_each_applied_line_appends_to_the_sku_story(invoke: Invoke) -> None:
    push(invoke, msg(1, line("MUG", 10, 5, source="leeds")))
    story = orjson.loads(invoke(["state", "show", "MUG"]).stdout)
    [event] = story["events"]
    assert event["command"] == "push-stock" and event["event"] == "stock-applied"
    assert event["detail"] == {"message_seq": 1, "qty": 10, "seq": 5, "source": "leeds", "target": "web"}


def test_negative_becomes_zero_unless_allowed(invoke: Invoke, state_path: Path) -> None:
    [body] = bodies(push(invoke, msg(1, line("MUG", -4, 1))).stdout)
    assert (body["received"], body["qty"], body["in_stock"]) == (-4, 0, False)
    [body] = bodies(push(invoke, msg(2, line("MUG", -4, 2)), "--allow-negative").stdout)
    assert (body["qty"], body["in_stock"]) == (-4, False)
    assert ledger(state_path) == {("MUG", "default"): (2, -4)}


def test_state_stock_lists_the_ledger(invoke: Invoke) -> None:
    push(invoke, msg(1, line("MUG", 10, 5), line("CAP", 0, 3, source="leeds")))
    listing = invoke(["state", "stock", "--target", "web"])
    assert listing.exit_code == 0
    rows = [orjson.loads(x) for x in listing.stdout.splitlines()]
    assert [(r["sku"], r["source"], r["last_seq"], r["qty"], r["in_stock"]) for r in rows] == [
        ("CAP", "leeds", 3, 0, False),
        ("MUG", "default", 5, 10, True),
    ]
    assert all(r["updated_at"] for r in rows)
    one = invoke(["state", "stock", "--target", "web", "--sku", "MUG"])
    assert [orjson.loads(x)["sku"] for x in one.stdout.splitlines()] == ["MUG"]


def test_target_is_required(invoke: Invoke) -> None:
    result = invoke(["push-stock"], input=msg(1, line("MUG", 1, 1)))
    assert result.exit_code == 2 and "--target" in result.stderr


def test_help(invoke: Invoke) -> None:
    result = invoke(["push-stock", "--help"])
    assert result.exit_code == 0 and "Example:" in result.stdout
    assert invoke(["state", "stock", "--help"]).exit_code == 0


def test_help_imports_no_heavy_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from flowkit.cli import cli; "
        "CliRunner().invoke(cli, ['push-stock', '--help']); CliRunner().invoke(cli, ['state', 'stock', '--help']); "
        "print(sorted(m for m in ('lxml', 'rich', 'paramiko', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_from_dir_takes_no_files(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["push-stock", "--target", "web", "--from-dir", str(tmp_path), "x.json"])
    assert result.exit_code == 2 and "--from-dir" in result.stderr


def test_messages_of_one_run_see_the_ledger_the_earlier_ones_left(invoke: Invoke, state_path: Path) -> None:
    # one input, so one transaction: each message reads the ledger inside it, with the writes of those before
    filler = [line(f"SKU-{n:04d}", n, n) for n in range(1, 2000)]
    text = msg(1, line("MUG", 10, 5), *filler) + msg(2, line("MUG", 3, 4), line("MUG", 10, 5), line("CAP", 1, 9))
    text += msg(3, line("CAP", 2, 8), line("MUG", 12, 7))
    result = push(invoke, text)
    assert result.exit_code == 0, result.stderr
    outcome = [(b["sku"], b["seq"], b["result"]) for b in bodies(result.stdout) if not b["sku"].startswith("SKU-")]
    assert outcome == [
        ("MUG", 5, "success"),
        ("MUG", 4, "superseded"),
        ("MUG", 5, "duplicate"),
        ("CAP", 9, "success"),
        ("CAP", 8, "superseded"),
        ("MUG", 7, "success"),
    ]
    assert ledger(state_path)[("MUG", "default")] == (7, 12) and ledger(state_path)[("CAP", "default")] == (9, 1)
