"""Benchmark: push-stock on PostgreSQL against push-stock on sqlite, in the same run.

The data is bench/push_stock.py's (N stock lines over S SKUs in messages of M
lines, every seq unique, in random order, so many lines are superseded).
Rounds are interleaved; each run is its own process on a fresh store:

  sqlite      ``flowkit --state FILE -q push-stock DATA --target bench``: a
              file on disk (WAL, synchronous=NORMAL, as flowkit opens it)
  postgresql  the same command with ``--state postgresql://…``: a fresh
              database of a cluster this script starts in a folder on disk
              (not tmpfs) from the distribution's binaries, with fsync and
              full-page writes on and ``synchronous_commit = off`` (a commit
              does not wait for its WAL flush, as sqlite's WAL with
              synchronous=NORMAL does not fsync a commit; neither loses more
              than the last moments on a power cut, neither corrupts)

It prints both rates (wall clock), the client's CPU seconds and the server's
(every process of the cluster: backends, WAL writer, checkpointer,
autovacuum), each client's peak RSS, and checks that both engines wrote the
same stdout and hold the same ledger (seq, qty, history), events and
processed messages. Ends with

    SPEEDUP push-stock-pg large <PostgreSQL's rate / sqlite's> 1.5
    FIGURE push-stock-pg-peak-rss large <MiB> MiB 150

and exits 1 when a bar is missed. The default is the issue's size (1,000,000
lines over 200,000 SKUs in 1,000-line messages, about a minute per engine and
round on a 2-core machine):

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/push_stock_pg.py
    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/push_stock_pg.py --lines 200000 --rounds 2
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent)]

from push_stock import RSS_BAR  # bench/push_stock.py: the data and its RSS bar

RATE_BAR = 1.5  # PostgreSQL's rate over sqlite's (issue 19)
DURABLE = "-c fsync=on -c full_page_writes=on -c synchronous_commit=off -c max_connections=50"


def cluster(base: Path) -> Any:
    """A PostgreSQL cluster in ``base`` (on disk), restarted with fsync and full-page writes on."""
    from servers import postgres

    server = postgres.start(base=base)
    postgres.run(server, "pg_ctl", "-D", str(server.datadir), "-m", "fast", "-w", "-s", "stop")
    options = f"-c listen_addresses=127.0.0.1 {DURABLE} -k {server.root} -p {server.port}"
    log = str(server.root / "server.log")
    postgres.run(server, "pg_ctl", "-D", str(server.datadir), "-l", log, "-w", "-s", "-o", options, "start")
    return server


def on_tmpfs(path: Path) -> bool:
    """Whether ``path`` is on a tmpfs (the longest mount point above it in /proc/mounts)."""
    try:
        mounts = [line.split()[1:3] for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return False
    above = [(point, kind) for point, kind in mounts if path.resolve().is_relative_to(point)]
    return bool(above) and max(above, key=lambda m: len(m[0]))[1] == "tmpfs"


def server_cpu(server: Any) -> float:
    """CPU seconds of the cluster's processes so far: live children of the postmaster, and those that ended."""
    postmaster = int((server.datadir / "postmaster.pid").read_text().split()[0])
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == postmaster:
            ticks += sum(int(f) for f in fields[11:15])  # its own and its reaped children's
        elif int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def fresh_database(server: Any) -> str:
    import psycopg

    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench WITH (FORCE)")
        conn.execute("CREATE DATABASE bench TEMPLATE template0")
    return str(server.url("bench"))


def run(state: str, data: Path, out: Path, server: Any) -> tuple[float, float, float, float]:
    """(wall seconds, client CPU seconds, server CPU seconds, client peak RSS in MiB) of one push-stock."""
    cmd = [sys.executable, "-m", "flowkit", "--state", state, "-q", "push-stock", str(data), "--target", "bench"]
    before = server_cpu(server)
    with out.open("wb") as sink:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=sink, cwd=HERE.parent)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"push-stock on {state.partition(':')[0]} exited {os.waitstatus_to_exitcode(status)}")
    server_seconds = server_cpu(server) - before if state.startswith("postgresql") else 0.0
    return elapsed, usage.ru_utime + usage.ru_stime, server_seconds, usage.ru_maxrss / 1024


def contents(state: str) -> str:
    """A digest of what both stores must hold alike, read row by row through flowkit's store."""
    from flowkit.store import Store
    from flowkit.store.location import parse

    digest = hashlib.sha256()
    store = Store(parse(state) if state.startswith("postgresql") else Path(state))
    try:
        for sql in (
            "SELECT sku, source, last_seq, qty, received, message_seq, history FROM stock_ledger ORDER BY sku, source",
            "SELECT key, detail FROM events WHERE event = 'stock-applied' ORDER BY id",
            "SELECT message_seq, result FROM processed_messages WHERE kind = 'stock' ORDER BY message_seq",
        ):
            for row in store.conn.execute(sql):
                digest.update(repr(tuple(row)).encode())
    finally:
        store.close()
    return digest.hexdigest()


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--skus", type=int, help="distinct SKUs (default: lines / 5)")
    parser.add_argument("--per-message", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", help="where the stores and the cluster live: a folder on disk (default: the temp dir)")
    args = parser.parse_args()
    skus = args.skus or max(1, args.lines // 5)
    names = ("sqlite", "postgresql")
    walls: dict[str, list[float]] = {n: [] for n in names}
    cpus: dict[str, list[float]] = {n: [] for n in names}
    rss: dict[str, list[float]] = {n: [] for n in names}
    served: list[float] = []
    ratios: list[float] = []
    print(f"lines {args.lines:,} over {skus:,} SKUs, {args.per_message:,} lines per message, {args.rounds} round(s)")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = Path(tmp)
        if on_tmpfs(base):
            print(f"warning: {base} is on tmpfs: both engines' disk writes cost nothing here (use --dir)")
        base.chmod(0o755)  # the cluster's own folder inside belongs to the postgres user, who must reach it
        data = base / "stock.ndjson"
        sizes = [str(args.lines), str(skus), str(args.per_message)]
        subprocess.run([sys.executable, str(HERE / "push_stock.py"), "--write", str(data), *sizes], check=True)
        server = cluster(base)
        try:
            same = True
            for round_no in range(args.rounds):
                took = {}
                order = names if round_no % 2 == 0 else names[::-1]  # who goes first alternates
                for name in order:
                    if name == "sqlite":
                        for old in base.glob("state.db*"):
                            old.unlink()
                        state = str(base / "state.db")
                    else:
                        state = fresh_database(server)
                    wall, cpu, server_seconds, peak = run(state, data, base / f"{name}.out", server)
                    took[name] = wall
                    walls[name].append(wall)
                    cpus[name].append(cpu)
                    rss[name].append(peak)
                    extra = f"  server CPU {server_seconds:6.2f} s" if name == "postgresql" else ""
                    if name == "postgresql":
                        served.append(server_seconds)
                    rate = f"{wall:6.2f} s  {args.lines / wall:8,.0f} lines/s"
                    figures = f"{rate}  CPU {cpu:6.2f} s{extra}  peak RSS {peak:4.0f} MiB"
                    print(f"  round {round_no + 1} {name:10}: {figures}", flush=True)
                ratios.append(took["postgresql"] / took["sqlite"])
                if round_no == 0:
                    same = digest(base / "sqlite.out") == digest(base / "postgresql.out") and contents(
                        str(base / "state.db")
                    ) == contents(server.url("bench"))
        finally:
            server.stop()
    ratio, peak = statistics.median(ratios), max(rss["postgresql"])
    for name in names:
        took = statistics.median(walls[name])
        print(f"{name:10} {took:6.2f} s  {args.lines / took:9,.0f} lines/s  CPU {statistics.median(cpus[name]):.2f} s (medians)")
    print(f"PostgreSQL server CPU {statistics.median(served):.2f} s (median)")
    print(f"PostgreSQL at {1 / ratio:.2f}x sqlite's rate (bar >= {RATE_BAR}); peak RSS {peak:.0f} MiB (bar < {RSS_BAR})")
    print(f"same stdout and stores (ledger, events, processed messages): {same}  (load average {os.getloadavg()[0]:.2f})")
    print(f"SPEEDUP push-stock-pg large {1 / ratio:.2f} {RATE_BAR}")
    print(f"FIGURE push-stock-pg-peak-rss large {peak:.0f} MiB {RSS_BAR}")
    return 0 if same and ratio <= 1 / RATE_BAR and peak < RSS_BAR else 1


if __name__ == "__main__":
    sys.exit(main())
