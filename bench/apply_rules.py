"""Benchmark: `flowkit apply-rules` against a bare script applying the same rules, on small and realistic orders.

Two rules files, each on both order sets of bench/_data.py (``small``: the
sample orders, 1-2 lines; ``realistic``: print orders of 5-50 lines, ~35 KiB):

- ``apply-rules``: ``samples/rules.toml`` (SKU and shipping maps, the built-in
  checks, five rules) on an empty state store. Its SKU map knows none of the
  realistic SKUs, so every realistic order is held and recorded in the store.
- ``apply-rules-passing``: a rules file under which most orders pass (tags, a
  note, a ``set``; one order in ten held), on a store that already holds every
  order as query-orders leaves it (queued): the duplicate check reads the
  stored rows, and the held orders move from queued to held.

Baseline, in the same run (bench/_bare_apply_rules.py): reads the NDJSON
records with orjson; per window of 256 records one query reads the stored
rows of their numbers (the duplicate check); the same checks, maps and rules
written by hand in plain Python; the window's holds as one transaction of
executemany statements (an INSERT of order row plus JSON document when new,
the document deflated with zlib at the level flowkit's store uses, since the
issue asks that order bodies be kept compressed; an UPDATE of status, reason
and tags when stored); NDJSON out with orjson.
It keeps no order lines, no event log and no content hash (flowkit does), and
it trusts its input's shape (flowkit checks it). The bench checks that both
wrote the same orders and alerts (bodies and the rules summary), so the two do
the same work on the data.

Rounds are interleaved (baseline, flowkit, baseline, ...); each figure is the
median over the rounds of flowkit's CPU time (user+sys of the child, the
steadier figure on a shared machine) over the baseline's; wall times are
printed beside. Ends with one ``RATIO <stage> <set> <value> <bar>`` line per
figure and exits 1 when a figure misses its bar.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/apply_rules.py [ROUNDS]   # default 3
    N_SMALL=4000 N_REAL=1500 ...   # the orders per set (these are the defaults)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bare_apply_rules import LEVEL, SCHEMA
from _data import order_records, write_records

from flowkit.store import orders
from flowkit.store.db import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
BARE = Path(__file__).resolve().parent / "_bare_apply_rules.py"
BARE_RULES = {"apply-rules": "samples", "apply-rules-passing": "passing"}  # the baseline's hand-written rules
SIZES = {"small": int(os.environ.get("N_SMALL", 4000)), "realistic": int(os.environ.get("N_REAL", 1500))}
BARS = {("apply-rules", "small"): 2.0, ("apply-rules", "realistic"): 2.0}
BARS |= {("apply-rules-passing", "small"): 2.0, ("apply-rules-passing", "realistic"): 2.0}
PASSING = """\
[checks]
disabled_suppliers = ["old-print"]

[[rules]]
name = "express abroad"
add_tags = ["Express", "International"]
note = "Express to {country}: book the courier before 15:00"
when.all = [{ not = { shipping_country_in = ["GB"] } }, { shipping_method = ["express", "yurtici"] }]

[[rules]]
name = "big runs"
add_tags = ["Big Run"]
when.any_line_quantity = ">= 1000"

[[rules]]
name = "trade"
add_tags = ["Trade"]
when.field_matches = { "customer.group" = "^(trade|wholesale)$" }

[[rules]]
name = "review one in ten"
hold = "Random QA review"
when.field_matches = { "number" = "7$" }

[[rules]]
name = "mark checked"
set = { "extra_data.rules_checked" = "yes" }
when.channel = "web"
"""


def run(args: list[str], source: Path, sink: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one child reading ``source`` on stdin and writing ``sink``."""
    with source.open("rb") as stdin, sink.open("wb") as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(args, stdin=stdin, stdout=stdout, stderr=stderr, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if status != 0:
            stderr.seek(0)
            sys.exit(f"failed ({status >> 8}): {' '.join(args)}\n{stderr.read().decode()[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime


def stores(folder: Path, kind: str, count: int, env: dict[str, str]) -> dict[str, tuple[Path, Path]]:
    """Per rules file, (flowkit store, baseline store) to copy before each run."""
    empty = folder / "empty.db"
    init = [sys.executable, "-m", "flowkit", "--state", str(empty), "apply-rules", "--rules", str(SAMPLES / "rules.toml")]
    subprocess.run(init, input=b"", capture_output=True, env=env, check=True)
    queued, bare = folder / "queued.db", folder / "queued-bare.db"
    shutil.copyfile(empty, queued)
    store = Store(queued)
    records = list(order_records(count, kind))
    with store.transaction():
        orders.insert_new(store, [(r["body"], "queued") for r in records], source="bench", command="query-orders")
    store.close()
    conn = sqlite3.connect(bare)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(SCHEMA)
    rows = [
        (
            o["number"],
            o["source"]["channel"]["id"],
            "bench",
            o["id"],
            "queued",
            None,
            orjson.dumps(o["tags"]).decode(),
            zlib.compress(orjson.dumps(o), LEVEL),
        )
        for o in (r["body"] for r in records)
    ]
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()
    return {"apply-rules": (empty, folder / "none.db"), "apply-rules-passing": (queued, bare)}


def fresh(template: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    if template.exists():
        shutil.copyfile(template, target)


def same_work(flowkit_out: Path, bare_out: Path) -> str | None:
    """Why the two outputs differ (orders, rules summaries, alerts), or None."""
    ours = [orjson.loads(line) for line in flowkit_out.read_bytes().splitlines()]
    theirs = [orjson.loads(line) for line in bare_out.read_bytes().splitlines()]
    if len(ours) != len(theirs):
        return f"{len(ours)} records from flowkit, {len(theirs)} from the baseline"
    for a, b in zip(ours, theirs, strict=True):
        if (a["kind"], a["body"], a["meta"].get("rules")) != (b["kind"], b["body"], b["meta"].get("rules")):
            rules = a["meta"].get("rules"), b["meta"].get("rules")
            return f"record {a['key']} ({a['kind']}) differs:\n  flowkit  {rules[0]}\n  baseline {rules[1]}"
    return None


def measure(tmp: Path, kind: str, rounds: int, env: dict[str, str]) -> dict[str, list[tuple[float, float, float, float]]]:
    """Per stage, one (flowkit wall, flowkit CPU, baseline wall, baseline CPU) per round."""
    folder = tmp / kind
    folder.mkdir()
    source = folder / "orders.ndjson"
    size = write_records(source, SIZES[kind], kind)
    print(f"{kind}: {SIZES[kind]} orders, {size / SIZES[kind] / 1024:.1f} KiB each", flush=True)
    templates = stores(folder, kind, SIZES[kind], env)
    rules = {"apply-rules": SAMPLES / "rules.toml", "apply-rules-passing": folder / "passing.toml"}
    rules["apply-rules-passing"].write_text(PASSING, encoding="utf-8")
    state, bare_state = folder / "state.db", folder / "bare.db"
    out, bare_out = folder / "out.ndjson", folder / "bare.ndjson"
    maps = [str(SAMPLES / "apply-rules" / "skus.csv"), str(SAMPLES / "apply-rules" / "shipping.csv")]
    times: dict[str, list[tuple[float, float, float, float]]] = {stage: [] for stage in rules}
    for index in range(rounds):
        for stage, rules_file in rules.items():
            flowkit_db, bare_db = templates[stage]
            fresh(bare_db, bare_state)
            bare = run([sys.executable, str(BARE), BARE_RULES[stage], str(bare_state), *maps], source, bare_out, env)
            fresh(flowkit_db, state)
            ours = run(
                [sys.executable, "-m", "flowkit", "--state", str(state), "apply-rules", "--rules", str(rules_file)],
                source,
                out,
                env,
            )
            if index == 0:
                problem = same_work(out, bare_out)
                if problem:
                    sys.exit(f"{stage} {kind}: the baseline does not do flowkit's work: {problem}")
            times[stage].append((*ours, *bare))
    return times


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    # flowkit runs as installed: with its bytecode cached (PYTHONDONTWRITEBYTECODE would make every
    # run re-compile flowkit's sources, which no installed flowkit does).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    figures: list[tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env["HOME"] = tmp
        for kind in SIZES:
            for stage, rows in measure(Path(tmp), kind, rounds, env).items():
                ratio = statistics.median(cpu / bare_cpu for _, cpu, _, bare_cpu in rows)
                wall = statistics.median(w / bare_w for w, _, bare_w, _ in rows)
                best = min(rows, key=lambda row: row[1])
                print(
                    f"  {stage:20} flowkit {SIZES[kind] / best[1]:6.0f} orders/CPU-s ({best[0]:.2f} s wall), "
                    f"baseline {SIZES[kind] / best[3]:6.0f} ({best[2]:.2f} s wall); "
                    f"median ratio CPU {ratio:.2f}, wall {wall:.2f}",
                    flush=True,
                )
                figures.append((stage, kind, ratio))
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs; {rounds} rounds")
    missed = 0
    for stage, kind, ratio in figures:
        bar = BARS[(stage, kind)]
        missed += ratio > bar
        print(f"RATIO {stage} {kind} {ratio:.2f} {bar}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
