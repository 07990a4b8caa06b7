"""Benchmark more senders: 4 deliver processes sharing one PostgreSQL store against 1, to a slow HTTP destination.

Issue 19's bar: deliver to an HTTP destination that answers in 20 ms, 4
processes sharing one PostgreSQL store deliver >= 3x the rate of 1 process,
exactly once. Here:

- a PostgreSQL cluster of the distribution, started on disk (not tmpfs) in the
  temp dir, a fresh database per measurement (``tests/servers/postgres.py``);
- a small threaded HTTP server in this process that answers each POST after
  20 ms (HTTP/1.1, kept-alive connections) and counts the POSTs per path;
- N payload records (2,000 by default, so 4 processes' start-up, about 0.3 s
  of CPU each, weighs little): all of them through one ``deliver --to erp`` process, and
  the same N split in 4 disjoint quarters through 4 processes at once (each in
  a working directory of its own, as on 4 hosts), rounds alternating which
  goes first. The rate is N over the wall time from the first start to the
  last exit (process start-up included).

Exactly once: after each measurement every key was POSTed once and the ledger
holds one ``delivered`` row per key; anything else fails the bench.

Usage: python bench/scale_out.py [--records N] [--rounds R] [--processes P] [--delay SECONDS]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import psycopg
from servers import postgres

FLOWKIT = [sys.executable, "-m", "flowkit"]
BAR = 3.0  # 4 processes >= 3x the rate of 1


class Slow(BaseHTTPRequestHandler):
    """Answers every POST with 201 after the server's delay; counts the POSTs per path."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # the answer's head and body go out at once, not 40 ms apart (delayed ACK)
    server: Destination

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.server.delay)
        with self.server.lock:
            self.server.posts[self.path] += 1
        body = b'{"id": "%s"}' % self.path.encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Destination(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), Slow)
        self.delay = delay
        self.posts: Counter[str] = Counter()
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def payloads(path: Path, keys: list[str]) -> Path:
    with path.open("wb") as out:
        for key in keys:
            body = {"number": key, "total": "24.90", "lines": [{"sku": f"SKU-{n}", "qty": n} for n in range(1, 6)]}
            record = {"flowkit": "record/1", "kind": "payload", "key": key, "type": "application/json", "body": body}
            out.write(orjson.dumps({**record, "meta": {"channel": "web"}}) + b"\n")
    return path


def measure(server: postgres.PgServer, http: Destination, work: Path, keys: list[str], processes: int) -> float:
    """Deliver ``keys`` split over ``processes`` processes on a fresh database; records/s. Checks exactly once."""
    url = server.create_database()
    subprocess.run([*FLOWKIT, "--state", url, "state", "runs"], check=True, capture_output=True)  # schema first
    config = work / "flowkit.toml"
    config.write_text(f'[destinations.erp]\ntype = "http"\nurl = "{http.base}/orders/{{key}}"\ntimeout = 30\n')
    parts = [payloads(work / f"part-{processes}-{n}.ndjson", keys[n::processes]) for n in range(processes)]
    hosts = [work / f"host-{n}" for n in range(processes)]
    for host in hosts:
        host.mkdir(exist_ok=True)
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [*FLOWKIT, "--state", url, "--config", str(config), "-q", "deliver", "--to", "erp", str(part)],
            cwd=host,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for part, host in zip(parts, hosts, strict=True)
    ]
    errors = [proc.communicate()[1] for proc in procs]
    took = time.perf_counter() - started
    for proc, err in zip(procs, errors, strict=True):
        if proc.returncode != 0:
            raise SystemExit(f"deliver exited {proc.returncode}: {err.decode()[-2000:]}")
    wanted = {f"/orders/{key}" for key in keys}
    sent = {path: count for path, count in http.posts.items() if path in wanted}
    if sent != dict.fromkeys(wanted, 1):
        twice = sorted(path for path, count in sent.items() if count > 1)
        raise SystemExit(f"not exactly once: {len(sent)} of {len(keys)} keys POSTed, {len(twice)} more than once")
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall()
    if dict(rows) != {"delivered": len(keys)}:
        raise SystemExit(f"the ledger is not one delivered row per key: {dict(rows)}")
    server.drop_database(url)
    return len(keys) / took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the destination takes to answer a POST")
    args = parser.parse_args()
    http = Destination(args.delay)
    with tempfile.TemporaryDirectory(prefix="flowkit-scale-out-") as tmp:
        work = Path(tmp)
        server = postgres.start(base=Path(tempfile.gettempdir()))  # on disk, as a real server's data is
        try:
            print(f"PostgreSQL on disk, destination answering after {args.delay * 1000:.0f} ms", flush=True)
            print(f"load average {os.getloadavg()[0]:.2f} at the start (2 cores: other work skews the ratio)", flush=True)
            one: list[float] = []
            many: list[float] = []
            for round_ in range(args.rounds):
                order = [(1, one), (args.processes, many)]
                for processes, rates in order if round_ % 2 == 0 else reversed(order):
                    keys = [f"R{round_}P{processes}-{n:05d}" for n in range(args.records)]
                    rates.append(measure(server, http, work, keys, processes))
                    print(f"round {round_ + 1}: {processes} process(es): {rates[-1]:,.1f} records/s, each key once", flush=True)
        finally:
            server.stop()
            http.shutdown()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    rate_one, rate_many = statistics.median(one), statistics.median(many)
    speedup = rate_many / rate_one
    print(f"\n{args.records} records, median of {args.rounds} round(s):")
    print(f"  1 process:    {rate_one:8,.1f} records/s")
    print(f"  {args.processes} processes:  {rate_many:8,.1f} records/s   ({speedup:.2f}x, bar {BAR:g}x)")
    print(f"FIGURE scale_out_1 http-{args.delay * 1000:.0f}ms {rate_one:.1f} records/s")
    print(f"FIGURE scale_out_{args.processes} http-{args.delay * 1000:.0f}ms {rate_many:.1f} records/s")
    print(f"SPEEDUP scale_out_{args.processes}_vs_1 http-{args.delay * 1000:.0f}ms {speedup:.2f} {BAR}")
    return 0 if speedup >= BAR else 1


if __name__ == "__main__":
    sys.exit(main())
