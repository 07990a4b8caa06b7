"""Benchmark: the README's whole pipeline against a bare pipeline doing the same work.

flowkit, as the README and the cron recipe run it (JSON payloads, a hotfolder):

    flowkit query-orders --source DIR --unsent | flowkit apply-rules --rules R \\
      | flowkit render --format json | flowkit deliver --to file:///OUT/ | flowkit query-orders mark-sent

The bare pipeline is five small Python processes chained the same way, doing
what a careful hand-written integration does, with orjson, zstandard and
sqlite and no flowkit code: read and parse each order file, skip orders on
hold, insert the others with their body compressed (zstd 3, as flowkit's
store keeps bodies) into sqlite (one transaction per 100 orders) before
writing NDJSON; the demo rules' hold (a quantity over 4 and SKU V789) and a
status update; dump the body as the JSON payload; write each payload to a
temp file, fsync, rename, and record the delivery with its body compressed
in sqlite; mark the order exported. It validates nothing, keeps no ledger of
attempts and has no dedupe, crash recovery or error reporting, so it is a
floor, not a peer.

Both pipelines run interleaved (--rounds, default 3) on the small sample
orders and on realistic print orders (5-50 lines, bench/_data.py); the figure
is the median of wall time and of CPU time (all five processes, user + system).

    .venv/bin/python bench/pipeline.py [--orders 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _data import write_order_files

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "samples" / "demo-rules.toml"
CPU_BAR = 1.1

QUERY = r"""
import os, sqlite3, sys, orjson, zstandard
pack = zstandard.ZstdCompressor(level=3).compress
folder, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, isolation_level=None, timeout=30)
conn.execute("PRAGMA synchronous=NORMAL")
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
    if (doc.get("hold") or {}).get("on_hold"):
        continue
    record = {"flowkit": "record/1", "kind": "order", "key": doc["number"], "type": "application/json",
              "meta": {"source": "bench"}, "body": doc}
    batch.append((doc["number"], pack(data), orjson.dumps(record) + b"\n"))
    if len(batch) == 100:
        flush()
if batch:
    flush()
"""
RULE = r"""
import sqlite3, sys, orjson
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
out, held = sys.stdout.buffer, []
for line in sys.stdin.buffer:
    record = orjson.loads(line)
    lines = record["body"]["lines"]
    if any(l["quantity"] > 4 for l in lines) and any(l["sku"] == "V789" for l in lines):
        held.append(record["key"])
        continue
    out.write(orjson.dumps(record) + b"\n")
if held:
    conn.executemany("UPDATE orders SET status = 'held' WHERE number = ?", [(k,) for k in held])
"""
RENDER = r"""
import sys, orjson
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    record = orjson.loads(line)
    payload = {"flowkit": "record/1", "kind": "payload", "key": record["key"], "type": "application/json",
               "meta": record["meta"], "body": orjson.dumps(record["body"]).decode()}
    out.write(orjson.dumps(payload) + b"\n")
"""
DELIVER = r"""
import hashlib, os, sqlite3, sys, orjson, zstandard
pack = zstandard.ZstdCompressor(level=3).compress
folder, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, isolation_level=None, timeout=30)
conn.execute("CREATE TABLE IF NOT EXISTS sent (key TEXT PRIMARY KEY, sha TEXT, body BLOB)")
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    record = orjson.loads(line)
    data = record["body"].encode()
    tmp = os.path.join(folder, "." + record["key"] + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data); f.flush(); os.fsync(f.fileno())
    os.rename(tmp, os.path.join(folder, record["key"] + ".json"))
    conn.execute("INSERT OR REPLACE INTO sent VALUES (?, ?, ?)", (record["key"], hashlib.sha256(data).hexdigest(), pack(data)))
    out.write(orjson.dumps({"kind": "result", "key": record["key"], "status": "delivered"}) + b"\n")
fd = os.open(folder, os.O_RDONLY); os.fsync(fd); os.close(fd)
"""
MARK = r"""
import sqlite3, sys, orjson
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
keys = [(orjson.loads(line)["key"],) for line in sys.stdin.buffer]
conn.execute("BEGIN")
conn.executemany("UPDATE orders SET status = 'exported' WHERE number = ?", keys)
conn.execute("COMMIT")
"""


def _run(command: str) -> tuple[float, float]:
    """(wall, CPU of every process of the pipeline) of one bash pipeline."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"pipeline failed ({done.returncode}): {command}\n{done.stderr.decode()[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _q(path: Path | str) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def flowkit(inbox: Path, work: Path) -> str:
    fk = f"{_q(sys.executable)} -m flowkit --state {_q(work / 'state.db')}"
    return (
        f"{fk} query-orders --source {_q(inbox)} --unsent | {fk} apply-rules --rules {_q(RULES)}"
        f" | {fk} render --format json | {fk} deliver --to {_q((work / 'out').as_uri() + '/')}"
        f" | {fk} query-orders mark-sent"
    )


def bare_store(db: Path) -> None:
    """The bare pipeline's sqlite file, made before it starts: its five processes open it at once, and two
    of them making the file and its tables together failed now and then ("database is locked", "no such table")."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE orders (number TEXT PRIMARY KEY, status TEXT, body BLOB)")
    conn.execute("CREATE TABLE sent (key TEXT PRIMARY KEY, sha TEXT, body BLOB)")
    conn.close()


def bare(inbox: Path, work: Path) -> str:
    py, db = _q(sys.executable), _q(work / "bare.db")
    return (
        f"{py} -c {_q(QUERY)} {_q(inbox)} {db} | {py} -c {_q(RULE)} {db} | {py} -c {_q(RENDER)}"
        f" | {py} -c {_q(DELIVER)} {_q(work / 'out')} {db} | {py} -c {_q(MARK)} {db}"
    )


def measure(kind: str, count: int, rounds: int, base: Path) -> tuple[float, float]:
    inbox = base / kind
    size = write_order_files(inbox, count, kind)
    walls: dict[str, list[float]] = {"flowkit": [], "bare": []}
    cpus: dict[str, list[float]] = {"flowkit": [], "bare": []}
    delivered = {"flowkit": 0, "bare": 0}
    for _ in range(rounds):
        for name, build in (("flowkit", flowkit), ("bare", bare)):
            work = base / f"{kind}-{name}"
            shutil.rmtree(work, ignore_errors=True)
            (work / "out").mkdir(parents=True)
            if name == "bare":
                bare_store(work / "bare.db")
            wall, cpu = _run(build(inbox, work))
            walls[name].append(wall)
            cpus[name].append(cpu)
            delivered[name] = sum(1 for p in (work / "out").iterdir() if not p.name.startswith("."))
    if delivered["flowkit"] != delivered["bare"]:
        raise SystemExit(f"{kind}: flowkit delivered {delivered['flowkit']}, the bare pipeline {delivered['bare']}")
    fw, bw = statistics.median(walls["flowkit"]), statistics.median(walls["bare"])
    fc, bc = statistics.median(cpus["flowkit"]), statistics.median(cpus["bare"])
    print(
        f"{kind:10} {count} orders ({size / count / 1024:.1f} KiB each), {delivered['flowkit']} delivered: "
        f"flowkit {fw:.2f} s wall {fc:.2f} s CPU ({count / fw:,.0f} orders/s); "
        f"bare {bw:.2f} s wall {bc:.2f} s CPU; ratio wall {fw / bw:.2f}, CPU {fc / bc:.2f}",
        flush=True,
    )
    return fw / bw, fc / bc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; rounds {args.rounds}, interleaved")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("small", "realistic"):
            results[kind] = measure(kind, args.orders, args.rounds, Path(tmp))
    for kind, (wall, cpu) in results.items():
        print(f"RATIO pipeline-wall {kind} {wall:.3f} {1.3}")
        print(f"RATIO pipeline-cpu {kind} {cpu:.3f} {CPU_BAR}")
    return 0 if all(cpu <= CPU_BAR for _, cpu in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
