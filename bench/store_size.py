"""Benchmark the state store's size: bytes per order delivered once, through the real pipeline.

For each order set of ``bench/_data.py`` (small samples, realistic print
orders), N orders (those not on hold at the source, so each is delivered
exactly once) are written as files to a folder and run, in a fresh state
store, through

    flowkit query-orders --source DIR --unsent | flowkit apply-rules --rules bench/store_size_rules.toml
      | flowkit render | flowkit deliver --to file://HOT/ | flowkit query-orders mark-sent

then the WAL is checkpointed (``PRAGMA wal_checkpoint(TRUNCATE)``) and the
store file's size is divided by the orders delivered. The split per table and
index comes from sqlite's ``dbstat`` (when it is compiled in).
Figures: ``store-bytes-per-order`` (bar 8192 on the realistic set) and
``ledger-bytes-per-order``, what the delivery ledger adds (``deliveries``,
``delivery_bodies`` and their indexes).

Bodies are packed with the dictionaries the store trains from its own first
bodies: ``--sets varied`` runs realistic orders whose free texts are random
words (bench/_data.py), for a shop whose orders are less alike than the
bench's.

    python bench/store_size.py [--orders N] [--keep] [--sets small,realistic,varied]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _data import SETS, VARIED, orders

FLOWKIT = [sys.executable, "-m", "flowkit"]
RULES = HERE / "store_size_rules.toml"
BAR = {"realistic": 8192}
LEDGER = ("deliveries", "delivery_bodies", "deliveries_open", "delivery_bodies_at", "sqlite_autoindex_deliveries_1")


def write_source(folder: Path, n: int, kind: str) -> int:
    """``n`` orders of the set not on hold at the source, one file each; returns how many."""
    folder.mkdir(parents=True)
    written = 0
    for order in orders(n * 2, kind):
        if (order.get("hold") or {}).get("on_hold") or order.get("status") == "on_hold":
            continue
        (folder / f"{order['number']}.json").write_text(json.dumps(order))
        written += 1
        if written == n:
            break
    return written


def pipeline(work: Path, source: Path, state: Path) -> bytes:
    """Run the five commands as one shell pipeline; returns mark-sent's stdout."""
    stages = [
        ["query-orders", "--source", str(source), "--unsent"],
        ["apply-rules", "--rules", str(RULES)],
        ["render"],
        ["deliver", "--to", f"file://{work}/hot/"],
        ["query-orders", "mark-sent"],
    ]
    procs: list[subprocess.Popen[bytes]] = []
    upstream = None
    for n, args in enumerate(stages):
        last = n == len(stages) - 1
        proc = subprocess.Popen([*FLOWKIT, "--state", str(state), "-q", *args], stdin=upstream, stdout=subprocess.PIPE, cwd=work)
        if upstream is not None:
            upstream.close()
        upstream = proc.stdout
        procs.append(proc)
        if last:
            out, _ = proc.communicate()
    codes = [p.wait() for p in procs]
    if any(codes):
        sys.exit(f"bench/store_size.py: the pipeline failed, exit codes {codes}")
    return out


def split(state: Path) -> tuple[int, list[tuple[str, int]]]:
    """The store's size once checkpointed, and bytes per table/index, largest first."""
    conn = sqlite3.connect(state)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:
        print("  (this sqlite has no dbstat: no split per table)")
        rows = []
    conn.close()
    return state.stat().st_size, [(name, int(total)) for name, total in rows]


def measure(work: Path, kind: str, n: int) -> tuple[float, float]:
    source, state = work / f"{kind}-orders", work / f"{kind}.db"
    count = write_source(source, n, kind)
    out = pipeline(work, source, state)
    delivered = sum(1 for line in out.splitlines() if b'"status":"delivered"' in line)
    if delivered != count:
        sys.exit(f"bench/store_size.py: {delivered} of {count} {kind} orders delivered")
    size, tables = split(state)
    print(f"{kind}: {count} orders delivered once, store {size:,} bytes = {size / count:,.0f} bytes per order")
    for name, total in tables:
        if total / count >= 8:
            print(f"  {name:34} {total:>12,} bytes {total / count:>8,.0f} per order")
    ledger = sum(total for name, total in tables if name in LEDGER)
    return size / count, ledger / count


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (stores, hotfolder) and print it")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated order sets ({', '.join(SETS)}, {VARIED})")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flowkit-bench-store-"))
    try:
        figures = {kind: measure(work, kind, args.orders) for kind in args.sets.split(",")}
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    missed = False
    for kind, (per_order, ledger) in figures.items():
        bar = BAR.get(kind)
        print(f"FIGURE store-bytes-per-order {kind} {per_order:.0f} bytes" + (f" {bar}" if bar else ""))
        print(f"FIGURE ledger-bytes-per-order {kind} {ledger:.0f} bytes")
        missed |= bar is not None and per_order > bar
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
