"""Benchmark: push-stock deciding and recording stock lines vs a bare sqlite script doing the same work.

Generates N stock lines over S SKUs in messages of M lines (every seq unique,
arriving in random order, so many lines are superseded), then runs, interleaved
``--rounds`` times, each in its own process on a fresh store:

  baseline  a bare Python script (orjson, sqlite3; WAL, synchronous=NORMAL, a
            24 MiB page cache and a WAL checkpoint every 10,000 pages, as
            flowkit's bulk tuning had it; one transaction per message) doing
            the store work push-stock does:
            message dedupe (processed_messages), the ledger rows of the
            message's SKUs read, each line decided (duplicate: seen in the
            message, the ledger's seq or in its seq history; superseded: a
            higher seq in the ledger or the message; else applied), the
            compare-and-set upsert with the seq history, one ``stock-applied``
            event row per applied line, the message marked processed, and one
            stock-result record per line written to stdout. Tables and indexes
            as in flowkit's store, so both keep the same data.
  flowkit   ``flowkit --state DB -q push-stock FILE --target bench > /dev/null``

It prints both rates (wall clock, CPU seconds beside them), the median ratio,
each process's peak RSS, and checks that both stores hold the same ledger
(seq, qty, history), events and processed messages. Ends with

    RATIO push-stock large <flowkit/baseline wall time> 1.67     (flowkit >= 60% of bare's rate)
    FIGURE push-stock-peak-rss large <MiB> MiB 150

and exits 1 when a bar is missed. The default is 200,000 lines; the issue's
full size (1,000,000 lines over 200,000 SKUs in 1,000-line messages, a few
minutes per round on a 2-core machine):

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/push_stock.py --lines 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

RATIO_BAR = 1.67  # flowkit / bare wall time: flowkit at >= 60% of the bare script's rate (issue 22)
RSS_BAR = 150  # MiB, flowkit's peak RSS (issue 22)
SCHEMA = """
CREATE TABLE stock_ledger (target TEXT NOT NULL, sku TEXT NOT NULL, source TEXT NOT NULL,
    last_seq INTEGER NOT NULL, qty INTEGER NOT NULL, received INTEGER, message_seq INTEGER,
    history TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL, PRIMARY KEY (target, sku, source)) WITHOUT ROWID;
CREATE TABLE events (id INTEGER PRIMARY KEY, key TEXT NOT NULL, at TEXT NOT NULL, command TEXT NOT NULL,
    event TEXT NOT NULL, detail TEXT, run_id INTEGER);
CREATE INDEX events_key ON events(key, id);
CREATE INDEX events_at ON events(at);
CREATE TABLE processed_messages (kind TEXT NOT NULL, target TEXT NOT NULL, message_seq INTEGER NOT NULL,
    processed_at TEXT NOT NULL, result TEXT, PRIMARY KEY (kind, target, message_seq));
"""
BASELINE = r'''
import os, sqlite3, sys
from collections import Counter
from datetime import UTC, datetime
import orjson
path, db, schema = sys.argv[1], sys.argv[2], sys.argv[3]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
conn.execute("PRAGMA cache_size=-24576"); conn.execute("PRAGMA wal_autocheckpoint=10000")
conn.executescript(schema)
out, target = sys.stdout.buffer, "bench"
UPSERT = """INSERT INTO stock_ledger (target, sku, source, last_seq, qty, received, message_seq, history, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?4, ?8)
    ON CONFLICT (target, sku, source) DO UPDATE SET last_seq = excluded.last_seq, qty = excluded.qty,
        received = excluded.received, message_seq = excluded.message_seq, updated_at = excluded.updated_at,
        history = substr(stock_ledger.history || ' ' || excluded.last_seq, -2000)
    WHERE excluded.last_seq > stock_ledger.last_seq"""
RECORD = "inventory record"
EVENT = "INSERT INTO events (key, at, command, event, detail) VALUES (?, ?, 'push-stock', 'stock-applied', ?)"
with open(path, "rb") as stream:
    for raw in stream:
        msg = orjson.loads(raw)
        mseq, lines = msg["message_seq"], msg["lines"]
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        conn.execute("BEGIN IMMEDIATE")
        replayed = conn.execute("SELECT 1 FROM processed_messages WHERE kind = 'stock' AND target = ? AND message_seq = ?",
                                (target, mseq)).fetchone()
        skus = sorted({ln["sku"] for ln in lines})
        view = {}
        for i in range(0, len(skus), 900):
            part = skus[i:i + 900]
            marks = ",".join("?" * len(part))
            for sku, source, seq, qty, history in conn.execute(
                    f"SELECT sku, source, last_seq, qty, history FROM stock_ledger WHERE target = ? AND sku IN ({marks})",
                    (target, *part)):
                view[(sku, source)] = (seq, qty, history)
        top = {}
        for ln in lines:
            key = (ln["sku"], ln.get("source") or "default")
            if ln["seq"] > top.get(key, -1):
                top[key] = ln["seq"]
        seen, rows, events, bodies = set(), [], [], []
        for ln in lines:
            sku, qty, seq, source = ln.get("sku"), ln.get("qty"), ln.get("seq"), ln.get("source") or "default"
            body = {"sku": sku, "source": source, "seq": seq, "message_seq": mseq, "target": target, "received": qty,
                    "adjusted_quotes": 0, "adjusted_unsent": 0}
            if not (type(sku) is str and sku and type(qty) is int and type(seq) is int and seq >= 0):
                body.update(qty=None, in_stock=None, result="failure", message="bad line")
                bodies.append(body)
                continue
            stored = qty if qty > 0 else 0
            body["qty"], body["in_stock"] = stored, stored > 0
            key, last = (sku, source), view.get((sku, source))
            if replayed or (sku, source, seq) in seen or (
                    last and (seq == last[0] or (seq < last[0] and f" {seq} " in f" {last[2]} "))):
                body["result"], body["message"] = "duplicate", "Duplicate Inventory Request Ignored."
            elif seq < max(last[0] if last else -1, top[key]):
                best = max(last[0] if last else -1, top[key])
                body["result"] = "superseded"
                body["message"] = f"Product quantity update to {stored} discarded as already superseded by {RECORD} {best}"
            else:
                view[key] = (seq, stored, (last[2] + " " if last else "") + str(seq))
                rows.append((target, sku, source, seq, stored, qty, mseq, stamp))
                detail = {"message_seq": mseq, "qty": stored, "seq": seq, "source": source, "target": target}
                events.append((sku, stamp, orjson.dumps(detail).decode()))
                body["result"], body["message"] = "success", f"Product Quantity Successfully Updated to {stored}"
            seen.add((sku, source, seq))
            bodies.append(body)
        if not replayed:
            conn.executemany(UPSERT, rows)
            conn.executemany(EVENT, events)
            counts = orjson.dumps(dict(Counter(b["result"] for b in bodies)), option=orjson.OPT_SORT_KEYS).decode()
            conn.execute("INSERT INTO processed_messages VALUES ('stock', ?, ?, ?, ?)", (target, mseq, stamp, counts))
        conn.execute("COMMIT")
        meta = {"target": target}
        out.write(b"".join(orjson.dumps({"flowkit": "record/1", "kind": "stock-result", "key": b["sku"],
                                         "type": "application/json", "meta": meta, "body": b}) + b"\n" for b in bodies))
'''


def generate(path: Path, lines: int, skus: int, per_message: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    seqs = list(range(1, lines + 1))
    rng.shuffle(seqs)  # every seq unique, arriving in random order
    with path.open("wb") as out:
        for start in range(0, lines, per_message):
            batch = [
                {"sku": f"SKU-{rng.randrange(skus):06d}", "qty": rng.randrange(-5, 500), "seq": seqs[i]}
                for i in range(start, min(start + per_message, lines))
            ]
            out.write(orjson.dumps({"message_seq": start // per_message + 1, "lines": batch}) + b"\n")


def timed(cmd: list[str]) -> tuple[float, float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB, MiB written to disk) of one child process, its stdout discarded."""
    with open(os.devnull, "wb") as sink:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=sink)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{cmd[:3]}... exited {child.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, usage.ru_oublock * 512 / (1 << 20)


def baseline(data: Path, db: Path) -> tuple[float, float, float, float]:
    return timed([sys.executable, "-c", BASELINE, str(data), str(db), SCHEMA])


def flowkit(data: Path, db: Path) -> tuple[float, float, float, float]:
    return timed([sys.executable, "-m", "flowkit", "--state", str(db), "-q", "push-stock", str(data), "--target", "bench"])


def contents(db: Path) -> str:
    """A digest of what both stores must hold alike: the ledger, the applied events, the processed messages
    (read row by row, so this process stays small: a child's peak RSS counts the parent it was forked from)."""
    digest = hashlib.sha256()
    conn = sqlite3.connect(db)
    try:
        for sql in (
            "SELECT sku, source, last_seq, qty, received, message_seq, history FROM stock_ledger ORDER BY sku, source",
            "SELECT key, detail FROM events WHERE event = 'stock-applied' ORDER BY id",
            "SELECT message_seq, result FROM processed_messages WHERE kind = 'stock' ORDER BY message_seq",
        ):
            for row in conn.execute(sql):
                digest.update(repr(row).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def main() -> int:
    if sys.argv[1:2] == ["--write"]:
        path, lines, skus, per_message = sys.argv[2:6]
        generate(Path(path), int(lines), int(skus), int(per_message))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--skus", type=int, help="distinct SKUs (default: lines / 5)")
    parser.add_argument("--per-message", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    skus = args.skus or max(1, args.lines // 5)
    walls: dict[str, list[float]] = {"baseline": [], "flowkit": []}
    cpus: dict[str, list[float]] = {"baseline": [], "flowkit": []}
    rss: dict[str, list[float]] = {"baseline": [], "flowkit": []}
    ratios: list[float] = []
    print(f"lines {args.lines:,} over {skus:,} SKUs, {args.per_message:,} lines per message, {args.rounds} round(s)")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "stock.ndjson"
        # generated in a child: the seqs of a million lines would stay in this process's peak RSS,
        # which every child forked from it starts with
        sizes = [str(args.lines), str(skus), str(args.per_message)]
        subprocess.run([sys.executable, __file__, "--write", str(data), *sizes], check=True)
        same = True
        for round_no in range(args.rounds):
            took = {}
            for name, fn in (("baseline", baseline), ("flowkit", flowkit)):
                db = Path(tmp) / f"{name}.db"
                for leftover in Path(tmp).glob(f"{name}.db*"):
                    leftover.unlink()
                wall, cpu, peak, written = fn(data, db)
                took[name] = wall
                walls[name].append(wall)
                cpus[name].append(cpu)
                rss[name].append(peak)
                figures = f"{wall:6.2f} s  CPU {cpu:6.2f} s  peak RSS {peak:5.0f} MiB  written {written:6.0f} MiB"
                print(f"  round {round_no + 1} {name:8}: {figures}", flush=True)
            ratios.append(took["flowkit"] / took["baseline"])
            if round_no == 0:
                same = contents(Path(tmp) / "baseline.db") == contents(Path(tmp) / "flowkit.db")
    base, ours = statistics.median(walls["baseline"]), statistics.median(walls["flowkit"])
    ratio, peak = statistics.median(ratios), max(rss["flowkit"])
    for label, name, took in (("baseline (bare sqlite)", "baseline", base), ("flowkit push-stock", "flowkit", ours)):
        print(f"{label:23} {took:6.2f} s  {args.lines / took:9,.0f} lines/s  CPU {statistics.median(cpus[name]):.2f} s (medians)")
    print(f"flowkit at {1 / ratio:.0%} of the bare rate (bar >= {1 / RATIO_BAR:.0%}); peak RSS {peak:.0f} MiB (bar < {RSS_BAR})")
    print(f"stores identical (ledger, events, processed messages): {same}  (load average {os.getloadavg()[0]:.2f})")
    print(f"RATIO push-stock large {ratio:.2f} {RATIO_BAR}")
    print(f"FIGURE push-stock-peak-rss large {peak:.0f} MiB {RSS_BAR}")
    return 0 if same and ratio <= RATIO_BAR and peak < RSS_BAR else 1


if __name__ == "__main__":
    sys.exit(main())
