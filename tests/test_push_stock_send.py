"""push-stock sending (chunks, confirmation, snapshots), the inbox queue, kills and the permutation property."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowkit.push_stock import soap
from flowkit.push_stock.adjust import Calculator
from flowkit.push_stock.engine import Engine
from flowkit.push_stock.model import Message
from flowkit.store import Store
from tests.conftest import Invoke
from tests.test_push_stock import bodies, ledger, line, msg


def sent(folder: Path) -> list[dict[str, Any]]:
    return [orjson.loads(p.read_bytes()) for p in sorted(folder.glob("stock-*.json"))]


def test_chunks_with_increasing_message_seq_and_ledger_after_confirmation(
    invoke: Invoke, state_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    lines = [line(f"SKU-{i}", i, 100 + i) for i in range(5)]
    result = invoke(["push-stock", "--to", out.as_uri() + "/", "--target", "shop", "--chunk-size", "2"], input=msg(1, *lines))
    assert result.exit_code == 0, result.stderr
    messages = sent(out)
    assert [m["message_seq"] for m in messages] == [1, 2, 3]
    assert [len(m["lines"]) for m in messages] == [2, 2, 1]
    assert messages[0]["lines"][0] == {"sku": "SKU-0", "source": "default", "seq": 100, "qty": 0}
    results = bodies(result.stdout)
    assert sorted(b["sent_message_seq"] for b in results) == [1, 1, 2, 2, 3]
    assert all(b["result"] == "success" for b in results)
    assert ledger(state_path, "shop") == {(f"SKU-{i}", "default"): (100 + i, i) for i in range(5)}
    again = invoke(
        ["push-stock", "--to", out.as_uri() + "/", "--target", "shop"], input=msg(2, line("SKU-0", 9, 100), line("SKU-1", 9, 150))
    )
    assert [b["result"] for b in bodies(again.stdout)] == ["duplicate", "success"]
    assert [m["message_seq"] for m in sent(out)] == [1, 2, 3, 4]


def test_soap_outgoing_messages_parse_back(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "out"
    invoke(
        ["push-stock", "--to", out.as_uri() + "/", "--target", "shop", "--message-format", "soap"],
        input=msg(1, line("MUG", 4, 7, source="leeds")),
    )
    [path] = list(out.glob("*.xml"))
    parsed = soap.parse(path.read_bytes(), str(path))
    assert parsed.message_seq == 1 and parsed.lines == [{"sku": "MUG", "qty": "4", "seq": "7", "source": "leeds"}]


def test_an_unconfirmed_chunk_does_not_advance_the_ledger(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "stock-shop-00000002.json").mkdir(parents=True)  # the second chunk cannot be renamed into place
    result = invoke(
        ["push-stock", "--to", out.as_uri() + "/", "--target", "shop", "--chunk-size", "1"],
        input=msg(5, line("A", 1, 1), line("B", 2, 1), line("C", 3, 1)),
    )
    assert result.exit_code == 75  # every failure was temporary: safe to rerun
    by_sku = {b["sku"]: b for b in bodies(result.stdout)}
    assert by_sku["B"]["result"] == "failure" and "not sent (message 2)" in by_sku["B"]["message"]
    assert ledger(state_path, "shop") == {("A", "default"): (1, 1), ("C", "default"): (1, 3)}
    os.rmdir(out / "stock-shop-00000002.json")
    resend = invoke(
        ["push-stock", "--to", out.as_uri() + "/", "--target", "shop"],
        input=msg(5, line("A", 1, 1), line("B", 2, 1), line("C", 3, 1)),
    )
    assert [b["result"] for b in bodies(resend.stdout)] == ["duplicate", "duplicate", "success"]
    assert ledger(state_path, "shop")[("B", "default")] == (1, 2)


def test_unreachable_destination_is_unavailable(invoke: Invoke, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = invoke(["push-stock", "--to", (blocker / "sub").as_uri(), "--target", "shop"], input=msg(1, line("A", 1, 1)))
    assert result.exit_code == 69 and "Traceback" not in result.stderr


def test_incremental_sends_only_changes_and_assigns_seqs(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    out, snap = tmp_path / "out", tmp_path / "snapshot.csv"
    to = ["--to", out.as_uri() + "/", "--target", "shop", "--incremental"]
    snap.write_text("sku,qty\nMUG,5\nCAP,0\n", encoding="utf-8")
    first = invoke(["push-stock", *to, str(snap)])
    assert [(b["sku"], b["seq"], b["result"]) for b in bodies(first.stdout)] == [("MUG", 1, "success"), ("CAP", 1, "success")]
    snap.write_text("sku,qty\nMUG,5\nCAP,4\n", encoding="utf-8")
    second = invoke(["push-stock", *to, str(snap)])
    assert sorted((b["sku"], b["seq"], b["result"]) for b in bodies(second.stdout)) == [
        ("CAP", 2, "success"),
        ("MUG", 1, "unchanged"),
    ]
    assert [[ln["sku"] for ln in m["lines"]] for m in sent(out)] == [["MUG", "CAP"], ["CAP"]]
    assert ledger(state_path, "shop") == {("MUG", "default"): (1, 5), ("CAP", "default"): (2, 4)}


def test_full_sends_everything(invoke: Invoke, tmp_path: Path) -> None:
    out, snap = tmp_path / "out", tmp_path / "snapshot.csv"
    snap.write_text("sku,qty\nMUG,5\nCAP,0\n", encoding="utf-8")
    to = ["--to", out.as_uri() + "/", "--target", "shop"]
    invoke(["push-stock", *to, "--full", str(snap)])
    again = invoke(["push-stock", *to, "--full", str(snap)])
    assert [b["seq"] for b in bodies(again.stdout)] == [2, 2]
    resend = invoke(["push-stock", *to, "--full"])
    assert resend.exit_code == 0, resend.stderr
    assert sorted((ln["sku"], ln["seq"], ln["qty"]) for ln in sent(out)[-1]["lines"]) == [("CAP", 2, 0), ("MUG", 2, 5)]
    assert len(sent(out)) == 3
    assert invoke(["push-stock", "--target", "shop", "--full"]).exit_code == 2


def _inbox(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_inbox_numeric_order_batch_size_and_done(invoke: Invoke, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _inbox(inbox, "stock-100.json", msg(100, line("MUG", 1, 7)))
    _inbox(inbox, "stock-99.json", msg(99, line("MUG", 2, 6)))
    _inbox(inbox, "stock-101.json", msg(101, line("CAP", 2, 6)))
    result = invoke(["push-stock", "--target", "web", "--from-dir", str(inbox), "--batch-size", "2"])
    assert result.exit_code == 0, result.stderr
    assert [(b["message_seq"], b["result"]) for b in bodies(result.stdout)] == [(99, "success"), (100, "success")]
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["stock-100.json", "stock-99.json"]
    assert [p.name for p in inbox.iterdir() if p.is_file()] == ["stock-101.json"]
    rest = invoke(["push-stock", "--target", "web", "--from-dir", str(inbox)])
    assert [b["message_seq"] for b in bodies(rest.stdout)] == [101]


def test_poison_message_is_retried_then_parked_without_blocking(invoke: Invoke, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _inbox(inbox, "stock-7.xml", "<Envelope><skuQty><item><key>MUG")
    args = ["push-stock", "--target", "web", "--from-dir", str(inbox), "--max-attempts", "2"]
    for attempt, seq in ((1, 8), (2, 9)):
        _inbox(inbox, f"stock-{seq}.json", msg(seq, line("MUG", seq, seq)))
        result = invoke(args)
        assert result.exit_code == 1
        assert [b["message_seq"] for b in bodies(result.stdout)] == [seq]
        assert f"attempt {attempt} of 2" in result.stderr or "parked in failed/ after 2" in result.stderr
    assert (inbox / "failed" / "stock-7.xml").exists()
    assert "invalid XML" in (inbox / "failed" / "stock-7.xml.error").read_text(encoding="utf-8")
    clean = invoke(args)
    assert clean.exit_code == 0 and clean.stdout == ""


def test_permutation_property_highest_seq_wins_and_never_goes_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "prop.db")
    counter = iter(range(10**9))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(st.integers(0, 40), min_size=1, max_size=12, unique=True).flatmap(
            lambda seqs: st.tuples(st.just(seqs), st.permutations(seqs), st.lists(st.integers(1, 4), min_size=12, max_size=12))
        ),
        st.booleans(),
    )
    def check(case: tuple[list[int], list[int], list[int]], negatives: bool) -> None:
        seqs, order, sizes = case
        target = f"t{next(counter)}"
        engine = Engine(store, target, calc=Calculator(allow_negative=negatives))  # both decision paths
        applied: list[int] = []
        position, number = 0, 0
        while position < len(order):  # random message boundaries
            part = order[position : position + sizes[number]]
            position, number = position + len(part), number + 1
            results = engine.process(Message(number, [line("MUG", s * 10, s) for s in part], "t", str(number)))
            applied += [r["body"]["seq"] for r in results if r["body"]["result"] == "success"]
        assert applied == sorted(applied)  # never an older one after a newer one
        assert applied[-1] == max(seqs)
        row = store.conn.execute("SELECT last_seq, qty FROM stock_ledger WHERE target = ?", (target,)).fetchone()
        assert tuple(row) == (max(seqs), max(seqs) * 10)

    check()
    store.close()


def test_kill_during_a_large_push_leaves_the_ledger_consistent(tmp_path: Path) -> None:
    out, state, data = tmp_path / "out", tmp_path / "state.db", tmp_path / "big.ndjson"
    with data.open("w", encoding="utf-8") as fh:
        for m in range(150):  # 6,000 lines, every one newer than the last: 300 chunks of 20
            fh.write(msg(m + 1, *[line(f"SKU-{(m * 37 + i) % 900}", i, m * 100 + i) for i in range(40)]))
    cmd = [
        sys.executable,
        "-m",
        "flowkit",
        "--state",
        str(state),
        "push-stock",
        str(data),
        "--to",
        out.as_uri() + "/",
        "--target",
        "shop",
        "--chunk-size",
        "20",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(out.glob("*.json"))) < 40:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    delivered = sent(out)
    assert 40 <= len(delivered) < 300, "the push must be killed half-way"
    conn = sqlite3.connect(state)
    statuses = dict(conn.execute("SELECT message_seq, status FROM stock_outbox WHERE target = 'shop'").fetchall())
    confirmed = [m for m in delivered if statuses.get(m["message_seq"]) == "confirmed"]
    assert len(delivered) - len(confirmed) <= 1  # at most the chunk in flight
    assert ledger(state, "shop") == _fold(confirmed)
    conn.close()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    everything = sent(out)
    assert ledger(state, "shop") == _fold(everything)
    assert [m["message_seq"] for m in everything] == list(range(1, len(everything) + 1))


def _fold(messages: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[int, int]]:
    state: dict[tuple[str, str], tuple[int, int]] = {}
    for m in messages:
        for ln in m["lines"]:
            key = (ln["sku"], ln["source"])
            if key not in state or ln["seq"] > state[key][0]:
                state[key] = (ln["seq"], ln["qty"])
    return state


def test_a_chunk_left_in_flight_is_settled_by_the_next_run(invoke: Invoke, state_path: Path, tmp_path: Path) -> None:
    from flowkit.push_stock.send import encode
    from flowkit.store import stock

    out = tmp_path / "out"
    out.mkdir()
    store = Store(state_path)
    first = [{"sku": "MUG", "source": "default", "seq": 4, "qty": 9}]
    second = [{"sku": "CAP", "source": "default", "seq": 2, "qty": 1}]
    with store.transaction():  # as a run killed after put (1) and before put (2) leaves it
        for seq, lines in ((1, first), (2, second)):
            name, data = encode("json", "shop", seq, lines)
            stock.outbox_intent(store, "shop", seq, name, lines, len(data))
    name, data = encode("json", "shop", 1, first)
    (out / name).write_bytes(data)
    store.close()
    result = invoke(["push-stock", "--to", out.as_uri() + "/", "--target", "shop"], input="")
    assert result.exit_code == 0, result.stderr
    assert "settled 2 chunk(s)" in result.stderr
    assert [m["message_seq"] for m in sent(out)] == [1, 2]
    assert ledger(state_path, "shop") == {("MUG", "default"): (4, 9), ("CAP", "default"): (2, 1)}


def test_a_missing_inbox_folder_is_the_same_error_as_for_import_shipment(invoke: Invoke, tmp_path: Path) -> None:
    for args in (["push-stock", "--target", "web"], ["import-shipment"]):
        missing = invoke([*args, "--from-dir", str(tmp_path / "nope")])
        assert missing.exit_code == 65 and f"inbox folder {tmp_path / 'nope'} does not exist" in missing.stderr
