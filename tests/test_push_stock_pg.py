"""push-stock on PostgreSQL: COPY and one upsert per window, read ahead and written behind, as sqlite decides.

The same input through both engines gives the same stdout and the same ledger,
events and processed marks; the general upsert (a sender's chunks) leaves what
sqlite's row-by-row compare-and-set leaves; a write that fails keeps the
windows before it and only their outputs; hosts pushing overlapping SKUs at
once never move a sequence back.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from flowkit.cli import cli
from flowkit.store import Store, stock
from flowkit.store.location import parse

LEDGER = (
    "SELECT target, sku, source, last_seq, qty, received, message_seq, history FROM stock_ledger ORDER BY target, sku, source"
)
EVENTS = "SELECT key, command, event, detail FROM events WHERE event = 'stock-applied' ORDER BY id"
MARKS = "SELECT kind, target, message_seq, result FROM processed_messages ORDER BY kind, target, message_seq"


def contents(state: Any) -> dict[str, list[tuple[Any, ...]]]:
    store = Store(state)
    try:
        return {sql: [tuple(row) for row in store.conn.execute(sql)] for sql in (LEDGER, EVENTS, MARKS)}
    finally:
        store.close()


def push(state: Any, data: bytes, *args: str) -> Any:
    return CliRunner().invoke(
        cli, ["--state", str(state), "push-stock", "--target", "web", *args], input=data, catch_exceptions=False
    )


def messages(seed: int, count: int = 60) -> bytes:
    """Stock messages that meet every rule: applied, duplicate (in the ledger, in the message, in the
    history), superseded, bad lines, two sources, replayed and unnumbered messages, and one SKU whose
    history outgrows its 2,000 characters before an old seq of it comes back."""
    rng = random.Random(seed)
    out, seq, hot = [], 0, []
    for number in range(1, count + 1):
        lines: list[Any] = []
        for _ in range(rng.randrange(5, 40)):
            seq += 1
            pick = rng.random()
            line: Any = {"sku": f"SKU-{rng.randrange(40):02d}", "qty": rng.randrange(-3, 50), "seq": rng.randrange(1, seq + 1)}
            if pick < 0.2:
                line["source"] = "east"
            elif pick < 0.25:
                line["qty"] = "many"
            elif pick < 0.28:
                del line["seq"]
            lines.append(line)
        if rng.random() < 0.2 and lines:
            lines.append(dict(lines[0]))  # the same line twice in a message
        body: dict[str, Any] = {"lines": lines}
        if number % 9:
            body["message_seq"] = number if number % 13 else number - 5  # some come again
        out.append(orjson.dumps(body))
        for _ in range(5):  # the hot SKU, a line a message (all applied): 300 seqs of 7 digits
            hot.append(1_000_000 + len(hot))
            out.append(orjson.dumps({"lines": [{"sku": "HOT", "qty": len(hot), "seq": hot[-1]}]}))
    out.append(orjson.dumps({"message_seq": 999, "lines": [{"sku": "HOT", "qty": 1, "seq": s} for s in (hot[0], hot[-3])]}))
    return b"\n".join(out) + b"\n"


@pytest.mark.parametrize("window", [25, 400, 20_000])
def test_the_same_input_gives_the_same_output_and_ledger_on_both_engines(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    monkeypatch.setattr("flowkit.push_stock.run.GROUP_LINES", window)  # several windows in flight, or one
    data = messages(seed=window)
    sqlite_state, pg_state = tmp_path / "state.db", parse(pg_url)
    outputs = []
    for state in (sqlite_state, pg_state):
        first, again = push(state, data), push(state, data[: len(data) // 2])
        stderr = re.sub(r"processed for target 'web' at \S+", "processed at T", first.stderr + again.stderr)
        outputs.append((first.stdout, again.stdout, stderr, first.exit_code, again.exit_code))
    assert outputs[0] == outputs[1]
    assert outputs[0][3] != 0 and "not an integer" in outputs[0][2]  # the bad lines
    results = [orjson.loads(line)["body"]["result"] for line in outputs[0][0].splitlines()]
    assert {"success", "duplicate", "superseded", "failure"} <= set(results)
    hot = [orjson.loads(line)["body"] for line in outputs[0][0].splitlines()][-2:]
    assert [b["result"] for b in hot] == ["superseded", "duplicate"]  # cut from the history / still in it
    mine, theirs = contents(sqlite_state), contents(pg_state)
    assert mine == theirs
    assert len(mine[LEDGER]) > 40 and len(mine[EVENTS]) > 500 and mine[MARKS]
    assert max(len(row[7]) for row in mine[LEDGER]) == stock.HISTORY_CHARS


def test_the_general_upsert_leaves_what_sqlites_row_by_row_compare_and_set_leaves(tmp_path: Path, pg_url: str) -> None:
    """stock.apply with stale, repeated and equal seqs in one batch (a sender's chunks, recovery)."""
    rng = random.Random(5)
    batches = []
    for number in range(30):
        rows = []
        for _ in range(rng.randrange(1, 60)):
            seq = rng.randrange(1, 400)
            rows.append((f"S{rng.randrange(12)}", rng.choice(["default", "east"]), seq, rng.randrange(9), seq % 7, number))
        batches.append(rows)
    for state in (tmp_path / "state.db", parse(pg_url)):
        store = Store(state)
        for rows in batches:
            with store.transaction():
                stock.apply(store, "web", rows, command="push-stock")
                stock.apply(store, "web", rows[:3], command="push-stock")  # twice in a transaction
        store.close()
    assert contents(tmp_path / "state.db") == contents(parse(pg_url))


def test_a_failed_write_keeps_the_windows_before_it_and_only_their_outputs(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("flowkit.push_stock.run.GROUP_LINES", 100)
    store = Store(parse(pg_url))
    with store.transaction() as conn:  # the server ends the writer's session when SKU BOOM is written
        conn.execute(
            """CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN IF NEW.sku = 'BOOM' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NEW; END $$"""
        )
        conn.execute("CREATE TRIGGER boom BEFORE INSERT ON stock_ledger FOR EACH ROW EXECUTE FUNCTION boom()")
    store.close()
    data = b"".join(
        orjson.dumps(
            {"message_seq": m, "lines": [{"sku": "BOOM" if m == 7 else f"S{m}-{i}", "qty": i, "seq": m} for i in range(50)]}
        )
        + b"\n"
        for m in range(1, 13)
    )
    result = push(parse(pg_url), data)
    assert result.exit_code == 75, result.stderr
    assert "is unreachable" in result.stderr and "Traceback" not in result.stderr
    written = {orjson.loads(line)["body"]["message_seq"] for line in result.stdout.splitlines()}
    assert written == {1, 2, 3, 4, 5, 6}  # windows of two messages: the one of message 7 failed, and all after it
    after = contents(parse(pg_url))
    assert {row[6] for row in after[LEDGER]} == {1, 2, 3, 4, 5, 6}
    assert [row[2] for row in after[MARKS]] == [1, 2, 3, 4, 5, 6]


def _slices(hosts: int, skus: int, per_host: int) -> list[list[bytes]]:
    """Each host's messages: seqs interleaved across hosts on the same SKUs, each host's in random order."""
    rng = random.Random(hosts)
    out: list[list[bytes]] = []
    for host in range(hosts):
        seqs = [k * hosts + host + 1 for k in range(per_host)]
        rng.shuffle(seqs)
        msgs = []
        for start in range(0, per_host, 200):
            lines = [{"sku": f"SKU-{s % skus:03d}", "qty": s, "seq": s} for s in seqs[start : start + 200]]
            msgs.append(orjson.dumps({"lines": lines}) + b"\n")
        out.append(msgs)
    return out


def _highest(slices: list[list[bytes]]) -> dict[str, int]:
    top: dict[str, int] = {}
    for msgs in slices:
        for raw in msgs:
            for line in orjson.loads(raw)["lines"]:
                top[line["sku"]] = max(top.get(line["sku"], 0), line["seq"])
    return top


def _ledger(pg_url: str) -> dict[str, tuple[int, int]]:
    return {row[1]: (row[3], row[4]) for row in contents(parse(pg_url))[LEDGER]}


@pytest.mark.parametrize("hosts", [2, 4])
def test_hosts_pushing_overlapping_skus_at_once_never_move_a_sequence_back(tmp_path: Path, pg_url: str, hosts: int) -> None:
    """push-stock on each host at once: the target's named lock gives each its turn, none waits too long."""
    slices = _slices(hosts, skus=150, per_host=3000)
    config = tmp_path / "flowkit.toml"
    config.write_text("[state]\nlock_timeout = 120\n", encoding="utf-8")
    procs = []
    for host, msgs in enumerate(slices):
        (tmp_path / f"in-{host}.ndjson").write_bytes(b"".join(msgs))
        cmd = [sys.executable, "-m", "flowkit", "--state", pg_url, "--config", str(config), "-q", "push-stock"]
        with (tmp_path / f"out-{host}.ndjson").open("wb") as out:  # a file: a pipe nobody reads yet would stall it
            procs.append(subprocess.Popen([*cmd, str(tmp_path / f"in-{host}.ndjson"), "--target", "web"], stdout=out))
    assert [p.wait(timeout=180) for p in procs] == [0] * hosts
    results = [
        orjson.loads(line)["body"]
        for host in range(hosts)
        for line in (tmp_path / f"out-{host}.ndjson").read_bytes().splitlines()
    ]
    assert len(results) == hosts * 3000 and {b["result"] for b in results} == {"success", "superseded"}
    assert _ledger(pg_url) == {sku: (seq, seq) for sku, seq in _highest(slices).items()}


ENGINE = """
import sys, orjson
from flowkit.push_stock.engine import Engine
from flowkit.push_stock.model import Message
from flowkit.store import Store
from flowkit.store.location import parse
store = Store(parse(sys.argv[1]))
engine = Engine(store, "web")
engine.defer()
for n, raw in enumerate(open(sys.argv[2], "rb")):
    msg = orjson.loads(raw)
    engine.decide(Message(None, msg["lines"], "in", str(n)))
    if n % 3 == 2:
        engine.commit()  # written behind while the next messages are decided
engine.commit()
engine.deferred.settle()
engine.deferred.close()
store.close()
"""


def test_deferred_writers_without_the_named_lock_still_keep_every_skus_highest_seq(tmp_path: Path, pg_url: str) -> None:
    """Four engines at once on the same SKUs, no named lock: each decides on what it read, and the upsert's
    compare-and-set (``WHERE excluded.last_seq > stock_ledger.last_seq``) keeps the highest seq anyway."""
    slices = _slices(4, skus=60, per_host=2400)
    procs = []
    for host, msgs in enumerate(slices):
        path = tmp_path / f"in-{host}.ndjson"
        path.write_bytes(b"".join(msgs))
        procs.append(subprocess.Popen([sys.executable, "-c", textwrap.dedent(ENGINE), pg_url, str(path)]))
    assert [p.wait(timeout=180) for p in procs] == [0, 0, 0, 0]
    assert _ledger(pg_url) == {sku: (seq, seq) for sku, seq in _highest(slices).items()}


def test_a_run_that_lost_its_named_lock_writes_no_further_window(tmp_path: Path, pg_url: str) -> None:
    """The writer connection's transactions check the target's named lock as every write transaction does:
    once the server ended that lock's session, another host may push the same target, so the run stops (75)."""
    import psycopg

    out = tmp_path / "out.ndjson"
    cmd = [sys.executable, "-m", "flowkit", "--state", pg_url, "-q", "push-stock", "--target", "web"]
    with out.open("wb") as sink:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=sink, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write(orjson.dumps({"message_seq": 1, "lines": [{"sku": "MUG", "qty": 1, "seq": 1}]}) + b"\n")
    proc.stdin.flush()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for _ in range(600):  # the first message is written (the input stalled: its window committed)
            if (
                conn.execute("SELECT to_regclass('stock_ledger') IS NOT NULL").fetchone()[0]
                and conn.execute("SELECT count(*) FROM stock_ledger").fetchone()[0]
            ):
                break
            time.sleep(0.05)
        ended = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flowkit lock push-stock-web'"
        ).fetchall()
    assert ended == [(True,)]
    proc.stdin.write(orjson.dumps({"message_seq": 2, "lines": [{"sku": "MUG", "qty": 2, "seq": 2}]}) + b"\n")
    proc.stdin.close()
    with proc.stderr:
        stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 75, stderr
    assert "lost the lock 'push-stock-web'" in stderr
    assert [orjson.loads(line)["body"]["seq"] for line in out.read_bytes().splitlines()] == [1]
    assert _ledger(pg_url) == {"MUG": (1, 1)}
