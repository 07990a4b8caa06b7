"""Benchmark: a catalogue export, ``query-products --changed | render | deliver --to file://``, against a bare pipeline.

flowkit, as a cron job runs the product export (the extension's product import
document, one file per product in a hotfolder):

    flowkit query-products --source DIR --changed | flowkit render --format orderflow \\
      | flowkit deliver --to file:///OUT/

over a catalogue of N products in one NDJSON file (a PIM's export: canonical
flowkit.product/1 print products, bench/products.py's own generator). The bare
pipeline is three small Python processes chained the same way, doing what a
careful hand-written export does with orjson, lxml, zstandard and sqlite and
no flowkit code: read each product, take its fingerprint (sha256 of its JSON
without updated_at, keys sorted), record it with its body compressed (zstd 3)
in sqlite (one transaction per 100) before writing it on; build the OrderFlow
``<imports><import type="product">`` document with lxml; write each payload to a
temporary file, fsync, rename, fsync the folder at the end, and record the
delivery with its body compressed. It validates nothing and keeps no ledger of
attempts, no dedupe and no crash recovery: a floor, not a peer. The first
payloads of both are compared (canonical XML) so the two do the same work.

Both run interleaved (--rounds, median of wall time and of CPU time of all
three processes). Then the same flowkit pipeline runs again on the unchanged
catalogue (nothing to send: every product read, fingerprinted, compared), and
the peak RSS of each flowkit process is taken at N/10 and at N products:
memory is flat when the larger run's peak is within 10% (+8 MiB) of the smaller's.

    .venv/bin/python bench/products.py [--products 100000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "products"
CPU_BAR = 1.5  # flowkit / bare, CPU time of the whole pipeline
WALL_BAR = 1.3

QUERY = r"""
import hashlib, sqlite3, sys, orjson, zstandard
pack = zstandard.ZstdCompressor(level=3).compress
path, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
conn.execute("CREATE TABLE IF NOT EXISTS products (sku TEXT PRIMARY KEY, hash TEXT, status TEXT, body BLOB)")
out, batch = sys.stdout.buffer, []
def flush():
    conn.execute("BEGIN")
    conn.executemany("INSERT OR REPLACE INTO products VALUES (?, ?, 'queued', ?)", [b[:3] for b in batch])
    conn.execute("COMMIT")
    out.write(b"".join(b[3] for b in batch))
    batch.clear()
with open(path, "rb") as handle:
    for line in handle:
        product = orjson.loads(line)
        kept = {k: v for k, v in product.items() if k != "updated_at"}
        digest = "sha256:" + hashlib.sha256(orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)).hexdigest()
        record = {"flowkit": "record/1", "kind": "product", "key": product["sku"], "type": "application/json",
                  "meta": {"operation": "create", "product_hash": digest}, "body": product}
        batch.append((product["sku"], digest, pack(line), orjson.dumps(record) + b"\n"))
        if len(batch) == 100:
            flush()
if batch:
    flush()
"""
RENDER = r"""
import sys, orjson
from decimal import Decimal
from lxml import etree
out = sys.stdout.buffer
def fields(p):
    size = p.get("dimensions") or {}
    net, gross = p.get("price"), p.get("price_incl_tax")
    pairs = [("description", p.get("name")), ("barcode", next((b["value"] for b in p.get("barcodes") or ()), None)),
             ("weight", p.get("weight")), ("weightUnits", p.get("weight_unit")),
             ("category", next(iter(p.get("categories") or ()), None)), ("priceNet", net),
             ("sellable", "true" if p.get("status") != "disabled" else None), ("priceGross", gross),
             ("tax", str(Decimal(gross) - Decimal(net)) if net and gross else None), ("taxCode", p.get("tax_class")),
             ("currency", p.get("currency")), ("length", size.get("length")), ("width", size.get("width")),
             ("height", size.get("height"))]
    return "\n".join(f"{k}={' '.join(str(v).splitlines())}" for k, v in pairs if v not in (None, ""))
for line in sys.stdin.buffer:
    record = orjson.loads(line)
    p = record["body"]
    root = etree.Element("imports")
    item = etree.SubElement(root, "import", type="product", operation="insert", externalReference=p["sku"])
    item.text = etree.CDATA(fields(p))
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()
    out.write(orjson.dumps({"flowkit": "record/1", "kind": "payload", "key": record["key"], "type": "application/xml",
                            "meta": record["meta"], "body": body}) + b"\n")
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
    os.rename(tmp, os.path.join(folder, record["key"] + ".xml"))
    conn.execute("INSERT OR REPLACE INTO sent VALUES (?, ?, ?)", (record["key"], hashlib.sha256(data).hexdigest(), pack(data)))
    out.write(orjson.dumps({"kind": "result", "key": record["key"], "status": "delivered"}) + b"\n")
fd = os.open(folder, os.O_RDONLY); os.fsync(fd); os.close(fd)
"""


def catalogue(count: int, seed: int = 7) -> list[bytes]:
    """``count`` canonical print products (NDJSON lines), varied from samples/products' simple ones."""
    rng = random.Random(seed)
    templates = [orjson.loads(p.read_bytes()) for p in sorted(SAMPLES.glob("*.json")) if p.name[0].isupper()]
    templates = [t for t in templates if t["type"] == "simple"]
    lines = []
    for n in range(count):
        product = orjson.loads(orjson.dumps(templates[n % len(templates)]))
        sku = f"{product['sku']}-{n:06d}"
        product.update(id=str(100000 + n), sku=sku, external_refs={"magento.entity_id": str(100000 + n)})
        product["weight"] = f"{rng.randint(50, 5000) / 1000:g}"
        net = rng.randint(300, 9000)
        product["price"], product["price_incl_tax"] = f"{net / 100:.2f}", f"{net * 1.2 / 100:.2f}"
        product["barcodes"] = [{"type": "ean13", "value": f"50{n:011d}"}]
        product["name"] = f"{product['name']} ({n})"
        lines.append(orjson.dumps(product) + b"\n")
    return lines


def _q(path: Path | str) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def flowkit_stages(inbox: Path, work: Path) -> list[list[str]]:
    fk = [sys.executable, "-m", "flowkit", "--state", str(work / "state.db")]
    return [
        [*fk, "query-products", "--source", str(inbox), "--changed"],
        [*fk, "render", "--format", "orderflow"],
        [*fk, "deliver", "--to", (work / "out").as_uri() + "/"],
    ]


def bare_stages(inbox: Path, work: Path) -> list[list[str]]:
    py, db = sys.executable, str(work / "bare.db")
    return [
        [py, "-c", QUERY, str(inbox / "catalogue.ndjson"), db],
        [py, "-c", RENDER],
        [py, "-c", DELIVER, str(work / "out"), db],
    ]


def pipeline(stages: list[list[str]], last_out: Any = subprocess.DEVNULL) -> tuple[float, float, list[int]]:
    """Run the stages as one pipeline: (wall s, CPU s of all of them, peak RSS KiB of each)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["FLOWKIT_CONFIG"] = os.devnull
    started = time.perf_counter()
    procs: list[subprocess.Popen[bytes]] = []
    feed: Any = subprocess.DEVNULL
    for n, cmd in enumerate(stages):
        out = last_out if n == len(stages) - 1 else subprocess.PIPE
        proc = subprocess.Popen(cmd, stdin=feed, stdout=out, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        if procs and procs[-1].stdout is not None:
            procs[-1].stdout.close()  # the next stage owns it now
        feed = proc.stdout
        procs.append(proc)
    cpu, peaks, running = 0.0, [0] * len(procs), set(range(len(procs)))
    while running:  # VmHWM of each process, read while it runs: its own peak (getrusage's maxrss counts the
        for n in sorted(running):  # parent's memory at fork, which the catalogue made large)
            peaks[n] = max(peaks[n], _hwm(procs[n].pid))
            pid, status, usage = os.wait4(procs[n].pid, os.WNOHANG)
            if pid:
                procs[n].returncode = os.waitstatus_to_exitcode(status)
                cpu += usage.ru_utime + usage.ru_stime
                running.discard(n)
        time.sleep(0.02)
    wall = time.perf_counter() - started
    for proc, cmd in zip(procs, stages, strict=True):
        if proc.returncode:
            err = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            raise SystemExit(f"{' '.join(cmd[:6])}… failed ({proc.returncode}): {err}")
    return wall, cpu, peaks


def _hwm(pid: int) -> int:
    """A running process's peak resident set (KiB), from /proc; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    except (OSError, ValueError):
        return 0


def same_payloads(flowkit_out: Path, bare_out: Path, count: int = 50) -> bool:
    from lxml import etree

    names = sorted(p.name for p in flowkit_out.iterdir() if not p.name.startswith("."))[:count]
    parser = etree.XMLParser(remove_blank_text=True)  # flowkit indents, lxml's baseline does not
    folders = (flowkit_out, bare_out)
    c14n = [etree.tostring(etree.parse(str(f / name), parser), method="c14n") for f in folders for name in names]
    return bool(names) and c14n[: len(names)] == c14n[len(names) :]


def measure(count: int, rounds: int, base: Path) -> dict[str, float]:
    inbox = base / "inbox"
    inbox.mkdir()
    (inbox / "catalogue.ndjson").write_bytes(b"".join(catalogue(count)))
    size = (inbox / "catalogue.ndjson").stat().st_size
    walls: dict[str, list[float]] = {"flowkit": [], "bare": []}
    cpus: dict[str, list[float]] = {"flowkit": [], "bare": []}
    for _ in range(rounds):
        for name, stages in (("flowkit", flowkit_stages), ("bare", bare_stages)):
            work = base / name
            shutil.rmtree(work, ignore_errors=True)
            (work / "out").mkdir(parents=True)
            with (work / "results.ndjson").open("wb") as results:  # deliver's results, for mark-sent below
                wall, cpu, _ = pipeline(stages(inbox, work), results)
            walls[name].append(wall)
            cpus[name].append(cpu)
            sent = sum(1 for p in (work / "out").iterdir() if not p.name.startswith("."))
            if sent != count:
                raise SystemExit(f"{name} delivered {sent} of {count} products")
    if not same_payloads(base / "flowkit" / "out", base / "bare" / "out"):
        raise SystemExit("the bare baseline no longer writes flowkit's payloads: fix bench/products.py")
    work = base / "flowkit"
    mark = [sys.executable, "-m", "flowkit", "--state", str(work / "state.db"), "query-products", "mark-sent"]
    marked, _, _ = pipeline([["cat", str(work / "results.ndjson")], mark])
    again, again_cpu, _ = pipeline(flowkit_stages(inbox, work))  # all exported, nothing changed: nothing to send
    marked_at = (work / "results.ndjson").stat().st_mtime
    if any(p.stat().st_mtime > marked_at for p in (work / "out").iterdir() if not p.name.startswith(".")):
        raise SystemExit("the unchanged rerun sent something")
    fw, bw = statistics.median(walls["flowkit"]), statistics.median(walls["bare"])
    fc, bc = statistics.median(cpus["flowkit"]), statistics.median(cpus["bare"])
    print(
        f"{count:,} products ({size / count:,.0f} bytes each): flowkit {fw:.1f} s wall {fc:.1f} s CPU "
        f"({count / fw:,.0f} products/s); bare {bw:.1f} s wall {bc:.1f} s CPU; ratio wall {fw / bw:.2f}, CPU {fc / bc:.2f}; "
        f"mark-sent {marked:.1f} s; unchanged rerun {again:.1f} s wall {again_cpu:.1f} s CPU "
        f"({count / again:,.0f} products/s read and compared, none sent)",
        flush=True,
    )
    return {"wall": fw / bw, "cpu": fc / bc, "rerun": count / again, "mark": count / marked}


def peak_rss(count: int, base: Path) -> list[int]:
    """Peak RSS (KiB) of query-products, render and deliver over a catalogue of ``count`` products."""
    inbox, work = base / f"rss-{count}", base / f"rss-{count}-work"
    inbox.mkdir()
    (work / "out").mkdir(parents=True)
    (inbox / "catalogue.ndjson").write_bytes(b"".join(catalogue(count)))
    return pipeline(flowkit_stages(inbox, work))[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; rounds {args.rounds}, interleaved")
    with tempfile.TemporaryDirectory() as tmp:
        ratios = measure(args.products, args.rounds, Path(tmp))
        small, large = peak_rss(args.products // 10, Path(tmp)), peak_rss(args.products, Path(tmp))
    flat = True
    for stage, a, b in zip(("query-products", "render", "deliver"), small, large, strict=True):
        grew = b / a
        flat &= b <= a * 1.1 + 8192
        print(f"peak RSS {stage}: {a / 1024:.0f} MiB at {args.products // 10:,}, {b / 1024:.0f} MiB at {args.products:,}")
        print(f"FIGURE rss-growth-{stage} products {grew * 100:.0f} % 110")
    print(f"RATIO products-wall catalogue {ratios['wall']:.3f} {WALL_BAR}")
    print(f"RATIO products-cpu catalogue {ratios['cpu']:.3f} {CPU_BAR}")
    print(f"FIGURE products-rerun catalogue {ratios['rerun']:.0f} products/s")
    print(f"FIGURE products-mark-sent catalogue {ratios['mark']:.0f} products/s")
    return 0 if flat and ratios["cpu"] <= CPU_BAR and ratios["wall"] <= WALL_BAR else 1


if __name__ == "__main__":
    sys.exit(main())
