"""Benchmark: query-orders over a ``dir`` source against a bare script doing the same store work.

flowkit: ``flowkit --state S query-orders --source DIR --unsent``, everything a
cron run does: mapping detection, the filters, the store (orders, lines,
fetched/queued events) in one transaction per 100 orders committed before
their records are written.

Baseline, in the same run (the same shape as bench/pipeline.py's first stage):
a bare Python script that reads each file, parses it with orjson, inserts one
row per order with its body (the bytes as read, uncompressed) into sqlite (WAL,
one transaction per 100 orders), then writes the order records as NDJSON. It
validates nothing and keeps no lines, events or export lifecycle: a floor.

Both run interleaved (--rounds, default 3) on the small sample orders and on
realistic print orders (5-50 lines, bench/_data.py); the figures are medians.
Also: the store's size per order after the run (the sqlite file, all tables)
and the flowkit process's peak RSS.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/query_orders.py [--orders 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _data import write_order_files

ROOT = Path(__file__).resolve().parent.parent
BAR = 2.0  # flowkit / bare wall time, realistic orders (issue 22)
BYTES_BAR = 8192  # store bytes per realistic order (issue 22: <= 8 KB per order delivered once)
BASELINE = r"""
import os, sqlite3, sys, orjson
folder, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
conn.execute("CREATE TABLE IF NOT EXISTS orders (number TEXT PRIMARY KEY, status TEXT, body BLOB)")
out, batch = sys.stdout.buffer, []
def flush():
    conn.execute("BEGIN")
    conn.executemany("INSERT OR IGNORE INTO orders VALUES (?, 'queued', ?)", [(n, b) for n, b, _ in batch])
    conn.execute("COMMIT")
    for _, _, line in batch:
        out.write(line)
    batch.clear()
for name in sorted(os.listdir(folder)):
    data = open(os.path.join(folder, name), "rb").read()
    doc = orjson.loads(data)
    record = {"flowkit": "record/1", "kind": "order", "key": doc["number"], "type": "application/json",
              "meta": {"source": "bench"}, "body": doc}
    batch.append((doc["number"], data, orjson.dumps(record) + b"\n"))
    if len(batch) == 100:
        flush()
if batch:
    flush()
conn.close()
"""


def timed(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one child process, stdout discarded."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        child = subprocess.Popen(args, stdout=sink, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"failed: {' '.join(args)}: {child.stderr.read().decode() if child.stderr else ''}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def store_bytes(path: Path) -> int:
    """The store's size on disk: the file and what is left in its WAL."""
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def measure(kind: str, count: int, rounds: int, base: Path) -> dict[str, float]:
    inbox = base / kind
    size = write_order_files(inbox, count, kind)
    runs: dict[str, list[tuple[float, float, int]]] = {"flowkit": [], "bare": []}
    stored = 0
    for _ in range(rounds):
        for name in ("flowkit", "bare"):
            work = base / f"{kind}-{name}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            db = work / "state.db"
            if name == "flowkit":
                args = [sys.executable, "-m", "flowkit", "--state", str(db), "query-orders", "--source", str(inbox), "--unsent"]
            else:
                args = [sys.executable, "-c", BASELINE, str(inbox), str(db)]
            runs[name].append(timed(args))
            if name == "flowkit":
                stored = store_bytes(db)
    fw, bw = (statistics.median(r[0] for r in runs[n]) for n in ("flowkit", "bare"))
    fc, bc = (statistics.median(r[1] for r in runs[n]) for n in ("flowkit", "bare"))
    rss, bare_rss = max(r[2] for r in runs["flowkit"]), max(r[2] for r in runs["bare"])
    print(
        f"{kind:10} {count} orders ({size / count / 1024:.1f} KiB each): "
        f"flowkit {fw:.2f} s wall {fc:.2f} s CPU ({count / fw:,.0f} orders/s, peak RSS {rss} MiB, "
        f"store {stored / count:,.0f} bytes/order); bare {bw:.2f} s wall {bc:.2f} s CPU "
        f"({count / bw:,.0f} orders/s, peak RSS {bare_rss} MiB); ratio wall {fw / bw:.2f}, CPU {fc / bc:.2f}",
        flush=True,
    )
    return {"wall": fw / bw, "cpu": fc / bc, "bytes": stored / count, "rss": rss}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sets", default="small,realistic", help="comma-separated order sets")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; rounds {args.rounds}, interleaved")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.sets.split(","):
            results[kind] = measure(kind, args.orders, args.rounds, Path(tmp))
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    for kind, figures in results.items():
        print(f"RATIO query-orders {kind} {figures['wall']:.3f} {BAR}")
        print(f"RATIO query-orders-cpu {kind} {figures['cpu']:.3f} {BAR}")
    for kind, figures in results.items():
        bar = f" {BYTES_BAR}" if kind == "realistic" else ""
        print(f"FIGURE store-bytes-per-order-after-query {kind} {figures['bytes']:.0f} bytes{bar}")
        print(f"FIGURE query-orders-peak-rss {kind} {figures['rss']:.0f} MiB")
    missed = [k for k, f in results.items() if f["wall"] > BAR or (k == "realistic" and f["bytes"] > BYTES_BAR)]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
