"""Benchmark deliver: a hotfolder with fsync against a bare script, and SFTP against OpenSSH's ``sftp -b``.

Both order sets of ``bench/_data.py`` (small samples and realistic print
orders) are rendered once with ``flowkit render`` (standard XML: ~7 KB and
~55 KB per payload), then delivered, each side a fresh process reading the
same payload NDJSON, rounds interleaved and alternating which side goes first:

1. Hotfolder (``deliver --to file://DIR/``, fsync on): flowkit's ledger
   (intent committed before the write, kept compressed body, outcome after,
   result records) against a bare script that writes each payload to a temp
   file, fsyncs it, renames it into place, answers one result line per
   payload, and, as a careful script must for idempotency (a rerun must know
   what went out), records one sqlite row per delivery in one transaction per
   window of 256 (WAL, synchronous=NORMAL, like flowkit's store), then fsyncs
   the folder. Bar: flowkit/bare <= 1.5 (the median of the rounds' ratios).
2. SFTP (``deliver --to sftp://…``: one connection, temp name, size check,
   posix-rename, ledger) against ``sftp -b`` uploading the same files to a
   loopback OpenSSH sshd over one connection, rounds alternating which side
   goes first. Bar: ratio <= 1.5 (issue 22's bar for deliver). Skipped
   when sshd or sftp is missing (scripts/test-servers.sh installs them).

Usage: python bench/deliver.py [--orders N] [--repeat R] [--sftp-repeat R] [--only hotfolder|sftp]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from _data import SETS, write_records
from servers import sshd

FLOWKIT = [sys.executable, "-m", "flowkit"]
HOTFOLDER_BAR, SFTP_BAR = 1.5, 1.5
BARE = r"""
import os, sqlite3, sys, orjson
source, folder, db = sys.argv[1:4]
os.makedirs(folder, exist_ok=True)
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = NORMAL")
conn.execute("CREATE TABLE IF NOT EXISTS sent (key TEXT, name TEXT, size INTEGER, at TEXT, PRIMARY KEY (key, name))")
out = sys.stdout.buffer
window = []

def commit():
    conn.execute("BEGIN")
    conn.executemany("INSERT OR REPLACE INTO sent VALUES (?, ?, ?, datetime('now'))", window)
    conn.execute("COMMIT")
    window.clear()

with open(source, "rb") as lines:
    for line in lines:
        record = orjson.loads(line)
        body = record["body"]
        data = body.encode() if isinstance(body, str) else orjson.dumps(body)
        name = record["key"] + ".xml"
        path, tmp = os.path.join(folder, name), os.path.join(folder, "." + name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        os.close(fd)
        os.replace(tmp, path)
        window.append((record["key"], name, len(data)))
        out.write(orjson.dumps({"key": record["key"], "status": "delivered", "remote_ref": path}) + b"\n")
        if len(window) >= 256:
            commit()
if window:
    commit()
fd = os.open(folder, os.O_RDONLY)
os.fsync(fd)
os.close(fd)
conn.close()
"""


def payloads(work: Path, kind: str, n: int) -> Path:
    """``n`` orders of the set rendered to XML payload records (``flowkit render``), once."""
    orders, out = work / f"{kind}.orders.ndjson", work / f"{kind}.payloads.ndjson"
    write_records(orders, n, kind)
    with out.open("wb") as sink:
        cmd = [*FLOWKIT, "--state", str(work / "render.db"), "-q", "render", "--include-held", str(orders)]
        subprocess.run(cmd, check=True, stdout=sink)
    return out


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU user+system) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def hotfolder_round(source: Path, work: Path, tag: str, flowkit_first: bool) -> dict[str, tuple[float, float]]:
    bare = [sys.executable, "-c", BARE, str(source), str(work / f"bare-{tag}"), str(work / f"bare-{tag}.db")]
    ours = [*FLOWKIT, "--state", str(work / f"ours-{tag}.db"), "-q", "deliver", "--to", f"file://{work}/ours-{tag}/"]
    sides = [("flowkit", [*ours, str(source)]), ("bare", bare)]
    return {name: timed(cmd) for name, cmd in (sides if flowkit_first else sides[::-1])}


def sftp_round(
    server: sshd.Sshd, source: Path, files: Path, work: Path, tag: str, flowkit_first: bool
) -> dict[str, tuple[float, float]]:
    remote = server.home / f"base-{tag}"
    remote.mkdir()
    batch = work / f"sftp-{tag}.batch"
    batch.write_text(f"cd {remote}\n" + "".join(f"put {p} {p.name}\n" for p in sorted(files.iterdir())))
    base = ["sftp", "-q", "-b", str(batch), "-i", str(server.client_key), "-P", str(server.port)]
    base += ["-o", f"UserKnownHostsFile={server.known_hosts}", "-o", "StrictHostKeyChecking=yes", f"{server.user}@127.0.0.1"]
    (server.home / f"ours-{tag}").mkdir()
    url = server.url(f"ours-{tag}")
    ours = [*FLOWKIT, "--state", str(work / f"sftp-{tag}.db"), "-q", "deliver", "--to", url, "--name", "{key}.xml", str(source)]
    sides = [("flowkit", ours), ("bare", base)]
    return {name: timed(cmd) for name, cmd in (sides if flowkit_first else sides[::-1])}


def files_of(source: Path, folder: Path) -> Path:
    folder.mkdir()
    with source.open("rb") as lines:
        for line in lines:
            record = orjson.loads(line)
            (folder / f"{record['key']}.xml").write_bytes(record["body"].encode())
    return folder


def summarise(stage: str, kind: str, rounds: list[dict[str, tuple[float, float]]], bar: float) -> float:
    ratios = [r["flowkit"][0] / r["bare"][0] for r in rounds]
    cpu = [r["flowkit"][1] / r["bare"][1] for r in rounds]
    for side in ("bare", "flowkit"):
        walls = " ".join(f"{r[side][0]:.2f}" for r in rounds)
        cpus = " ".join(f"{r[side][1]:.2f}" for r in rounds)
        print(f"  {stage:10} {kind:9} {side:7} wall {walls} s   cpu {cpus} s")
    ratio = statistics.median(ratios)
    print(
        f"  {stage:10} {kind:9} flowkit/bare wall {' '.join(f'{x:.2f}' for x in ratios)} "
        f"-> median {ratio:.2f} (bar {bar}); cpu median {statistics.median(cpu):.2f}"
    )
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000, help="payloads per set (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved hotfolder rounds (fsync times vary several-fold)")
    parser.add_argument("--sftp-repeat", type=int, default=5, help="interleaved SFTP rounds")
    parser.add_argument("--only", choices=("hotfolder", "sftp"))
    parser.add_argument("--dir", default=None, help="where the work folder goes (default: $TMPDIR)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flowkit-bench-deliver-", dir=args.dir))
    figures: list[tuple[str, str, float, float]] = []
    try:
        sources = {kind: payloads(work, kind, args.orders) for kind in SETS}
        print(f"{args.orders} payloads per set; load average {os.getloadavg()[0]:.2f} at the start")
        if args.only != "sftp":
            for kind, source in sources.items():
                rounds = [hotfolder_round(source, work, f"{kind}{i}", i % 2 == 0) for i in range(args.repeat)]
                figures.append(("deliver-hotfolder", kind, summarise("hotfolder", kind, rounds, HOTFOLDER_BAR), HOTFOLDER_BAR))
        if args.only != "hotfolder" and sshd.available() and shutil.which("sftp"):
            server = sshd.start(work / "sshd")
            try:
                for kind, source in sources.items():
                    files = files_of(source, work / f"{kind}-files")
                    rounds = [sftp_round(server, source, files, work, f"{kind}{i}", i % 2 == 1) for i in range(args.sftp_repeat)]
                    figures.append(("deliver-sftp", kind, summarise("sftp", kind, rounds, SFTP_BAR), SFTP_BAR))
            finally:
                server.stop()
        elif args.only != "hotfolder":
            print("  sftp: skipped (needs /usr/sbin/sshd and sftp: scripts/test-servers.sh)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    for stage, kind, value, bar in figures:
        print(f"RATIO {stage} {kind} {value:.2f} {bar}")
    return 1 if any(value > bar for _, _, value, bar in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
