"""Benchmark: push-stock deciding and recording stock lines vs a bare sqlite script.

Generates N stock lines over S SKUs (messages of M lines, random arrival
order of sequence ids), then in the same run:
  baseline  a bare Python script that reads the same NDJSON and does the
            batched compare-and-set upsert (one transaction per message)
  flowkit   `flowkit push-stock FILE --target bench > /dev/null` (decisions,
            seq history, events, message dedupe, result records)
and prints both rates (wall clock; CPU seconds beside them), the ratio, and
flowkit's peak RSS. The baseline commits once per message with sqlite's
default settings; flowkit groups about 5,000 lines per transaction with a
24 MB page cache and fewer WAL checkpoints (see docs/architecture.md).

    python bench/push_stock.py                  # 1,000,000 lines, 200,000 SKUs
    python bench/push_stock.py --lines 100000 --skus 20000
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

CAS = """INSERT INTO stock_ledger (target, sku, source, last_seq, qty, received, message_seq, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (target, sku, source) DO UPDATE SET last_seq = excluded.last_seq, qty = excluded.qty,
             received = excluded.received, message_seq = excluded.message_seq, updated_at = excluded.updated_at
         WHERE excluded.last_seq > stock_ledger.last_seq"""
SCHEMA = """CREATE TABLE stock_ledger (target TEXT NOT NULL, sku TEXT NOT NULL, source TEXT NOT NULL,
    last_seq INTEGER NOT NULL, qty INTEGER NOT NULL, received INTEGER, message_seq INTEGER,
    updated_at TEXT NOT NULL, PRIMARY KEY (target, sku, source)) WITHOUT ROWID"""


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


def baseline(path: Path, db: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the bare script."""
    cpu = time.process_time()
    wall = _baseline(path, db)
    return wall, time.process_time() - cpu


def _baseline(path: Path, db: Path) -> float:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(SCHEMA)
    started = time.perf_counter()
    stamp = "2026-01-01T00:00:00.000000Z"
    with path.open("rb") as stream:
        for raw in stream:
            msg = orjson.loads(raw)
            rows = [
                (
                    "bench",
                    ln["sku"],
                    ln.get("source") or "default",
                    int(ln["seq"]),
                    max(0, int(ln["qty"])),
                    int(ln["qty"]),
                    msg["message_seq"],
                    stamp,
                )
                for ln in msg["lines"]
            ]
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(CAS, rows)
            conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def flowkit(path: Path, db: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one push-stock run in a child process."""
    cmd = [sys.executable, "-m", "flowkit", "--state", str(db), "-q", "push-stock", str(path), "--target", "bench"]
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(cmd, stdout=sink, check=True)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--skus", type=int, default=200_000)
    parser.add_argument("--per-message", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "stock.ndjson"
        generate(data, args.lines, args.skus, args.per_message)
        base, base_cpu = baseline(data, Path(tmp) / "baseline.db")
        took, cpu, rss = flowkit(data, Path(tmp) / "flowkit.db")
        check = sqlite3.connect(Path(tmp) / "flowkit.db")
        ours = check.execute("SELECT sku, last_seq FROM stock_ledger ORDER BY sku").fetchall()
        theirs = (
            sqlite3.connect(Path(tmp) / "baseline.db").execute("SELECT sku, last_seq FROM stock_ledger ORDER BY sku").fetchall()
        )
    base_rate, our_rate = args.lines / base, args.lines / took
    print(f"lines {args.lines:,} over {args.skus:,} SKUs, {args.per_message} lines per message")
    print(f"baseline (bare sqlite CAS upsert): {base:.2f} s  {base_rate:,.0f} lines/s  (CPU {base_cpu:.2f} s)")
    print(f"flowkit push-stock:                {took:.2f} s  {our_rate:,.0f} lines/s  (CPU {cpu:.2f} s)  peak RSS {rss:.0f} MB")
    print(f"ratio flowkit/baseline: {our_rate / base_rate:.0%} (bar: >= 60%, RSS < 150 MB)")
    print(f"ledgers identical: {ours == theirs}")


if __name__ == "__main__":
    main()
