"""Benchmark: stream N orders from a ``dir`` source into order records (and the state store).

Baseline, in the same run: a bare Python loop that reads the same files,
parses them with orjson and writes NDJSON lines (no mapping, no store). The
flowkit figure includes everything a cron run does: mapping detection, the
filters, the store (orders, lines, fetched/queued events) in one transaction per
100 orders committed before their records are written.
Memory: peak RSS of the flowkit process at N/5 and N orders (flat = about equal).

Usage: python bench/query_orders.py [N]   (default 10000; target >= 3,000 orders/s)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tests" / "data" / "query_orders" / "mappings" / "magento2-basic.out.json"
BASELINE = """
import os, sys, orjson
out = sys.stdout.buffer
folder = sys.argv[1]
for name in sorted(os.listdir(folder)):
    doc = orjson.loads(open(os.path.join(folder, name), "rb").read())
    out.write(orjson.dumps({"flowkit": "record/1", "kind": "order", "key": doc["number"], "type": "application/json",
                            "meta": {}, "body": doc}) + b"\\n")
"""


def make_inbox(folder: Path, count: int) -> None:
    order = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    folder.mkdir(parents=True)
    for index in range(count):
        order["number"] = f"B{index:07d}"
        order["source"]["channel"]["id"] = ("web", "b2b", "app")[index % 3]
        (folder / f"{order['number']}.json").write_text(json.dumps(order), encoding="utf-8")


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


def flowkit(folder: Path, state: Path) -> list[str]:
    return [sys.executable, "-m", "flowkit", "--state", str(state), "query-orders", "--source", str(folder), "--unsent"]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        make_inbox(base / "small", count // 5)
        make_inbox(base / "inbox", count)
        base_s, base_cpu, _ = timed([sys.executable, "-c", BASELINE, str(base / "inbox")])
        small_s, small_cpu, small_rss = timed(flowkit(base / "small", base / "small.db"))
        fk_s, fk_cpu, fk_rss = timed(flowkit(base / "inbox", base / "state.db"))
    rate, base_rate = count / fk_s, count / base_s
    print(f"orders: {count}   (load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"baseline (read + parse + write NDJSON): {base_s:.2f} s wall, {base_cpu:.2f} s CPU, {base_rate:,.0f} orders/s")
    print(
        f"flowkit query-orders --unsent (dir, store): {fk_s:.2f} s wall, {fk_cpu:.2f} s CPU, {rate:,.0f} orders/s "
        f"({count / fk_cpu:,.0f} per CPU-second)"
    )
    extra = count - count // 5
    print(
        f"steady state (start-up excluded: {count} minus {count // 5} orders): "
        f"{extra / (fk_s - small_s):,.0f} orders/s wall, {extra / (fk_cpu - small_cpu):,.0f} per CPU-second"
    )
    print(f"ratio flowkit/baseline throughput: {rate / base_rate:.2f} (CPU: {base_cpu / fk_cpu:.2f})")
    print(f"peak RSS: {small_rss} MiB at {count // 5} orders, {fk_rss} MiB at {count} orders")
    print(f"target >= 3,000 orders/s: {'met' if rate >= 3000 else 'NOT met'}")


if __name__ == "__main__":
    main()
