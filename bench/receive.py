"""Benchmark flowkit receive: 10,000 posts from 8 concurrent clients on loopback, none lost, none twice.

A real ``flowkit receive`` process (one HMAC-SHA256 route of kind ``stock``)
takes the posts of 8 client processes, each on one keep-alive connection,
every post a distinct stock message (about 600 bytes) signed and sent with an
``Idempotency-Key``; a client that gets no answer (or 503) sends the same post
again with the same key. Then the receiver stops (SIGTERM) and the inbox is
counted: every message id must be in exactly one file (lost 0, duplicated 0).
Latency is each post's time to its 202, as the client sees it (p50, p99).

The bare baseline, measured in the same run with the same clients, is the
standard library's ThreadingHTTPServer doing only the durable work: the body
to a temporary file, fsync, rename, fsync of the folder, and the same for a
key record (no authentication, no checks, no replay). Ends with:

    FIGURE receive-lost loopback <n> posts 0
    FIGURE receive-duplicated loopback <n> posts 0
    FIGURE receive-p99 loopback <ms> ms 250
    RATIO receive-wall loopback <flowkit/bare wall time> 1.5

Usage: python bench/receive.py [--posts 10000] [--clients 8]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import multiprocessing
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"bench-secret-0123456789"
P99_BAR_MS = 250
RATIO_BAR = 1.5
BARE = r"""
import os, sys, hashlib
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
inbox = sys.argv[1]; keys = os.path.join(inbox, ".keys"); os.makedirs(keys, exist_ok=True)
import itertools
numbers = itertools.count(1)
def durable(folder, name, data):
    temp = os.path.join(folder, "." + name + ".part")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    os.write(fd, data); os.fsync(fd); os.close(fd)
    os.rename(temp, os.path.join(folder, name))
    dfd = os.open(folder, os.O_RDONLY); os.fsync(dfd); os.close(dfd)
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        data = self.rfile.read(int(self.headers["Content-Length"]))
        key = hashlib.sha256(self.headers.get("Idempotency-Key", "").encode()).hexdigest()
        durable(keys, key, b"{}")
        name = "stock-%d.json" % next(numbers)
        durable(inbox, name, data)
        out = b'{"status":"accepted"}'
        self.send_response(202); self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
    def log_message(self, *a): pass
server = ThreadingHTTPServer(("127.0.0.1", 0), H); server.daemon_threads = True
print("listening on http://127.0.0.1:%d" % server.server_address[1], file=sys.stderr, flush=True)
server.serve_forever()
"""


def body(i: int) -> bytes:
    lines = [{"sku": f"SKU-{i % 997:04d}-{n}", "qty": (i * 7 + n) % 500, "seq": i * 10 + n, "source": "leeds"} for n in range(5)]
    return orjson.dumps({"message_seq": i, "id": f"m{i}", "lines": lines})


def client(port: int, ids: list[int], out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One keep-alive connection; each post until its 202 (same key on a retry); latencies in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, retries = [], 0
    for i in ids:
        data = body(i)
        headers = {
            "Content-Type": "application/json",
            "X-Signature": "sha256=" + hmac.new(SECRET, data, hashlib.sha256).hexdigest(),
            "Idempotency-Key": f"post-{i}",
        }
        started = time.perf_counter()
        for _attempt in range(10):
            try:
                conn.request("POST", "/stock", body=data, headers=headers)
                answer = conn.getresponse()
                answer.read()
                if answer.status == 202:
                    break
                retries += 1
            except (OSError, http.client.HTTPException):
                retries += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        else:
            raise SystemExit(f"post {i} never accepted")
        latencies.append((time.perf_counter() - started) * 1000)
    conn.close()
    out.put((latencies, retries))


def start(cmd: list[str], cwd: Path) -> tuple[subprocess.Popen[bytes], int]:
    log = cwd / "server.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return proc, int(found.group(1))
        time.sleep(0.05)
    raise SystemExit(f"the server did not start: {log.read_text()}")


def load(port: int, posts: int, clients: int) -> dict[str, float]:
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    procs = [multiprocessing.Process(target=client, args=(port, list(range(n, posts, clients)), out)) for n in range(clients)]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [out.get() for _ in procs]
    wall = time.perf_counter() - started
    for proc in procs:
        proc.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    return {
        "wall": wall,
        "rate": posts / wall,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "retries": sum(r for _, r in results),
    }


def count(inbox: Path, posts: int) -> tuple[int, int, int]:
    """(files, lost, duplicated) of the inbox: each message id must be in exactly one file."""
    seen: dict[str, int] = {}
    names = [n for n in os.listdir(inbox) if not n.startswith(".")]
    for name in names:
        key = orjson.loads((inbox / name).read_bytes())["id"]
        seen[key] = seen.get(key, 0) + 1
    lost = sum(1 for i in range(posts) if f"m{i}" not in seen)
    return len(names), lost, sum(n - 1 for n in seen.values())


def run_flowkit(work: Path, posts: int, clients: int) -> dict[str, float]:
    config = work / "receive.toml"
    secret = SECRET.decode()
    config.write_text(
        f'[receive.routes.stock]\npath = "/stock"\ninbox = "inbox"\nkind = "stock"\nauth = "hmac-sha256"\nsecret = "{secret}"\n'
    )
    cmd = [sys.executable, "-m", "flowkit", "--config", str(config), "receive", "--listen", "127.0.0.1:0"]
    proc, port = start(cmd, work)
    try:
        figures = load(port, posts, clients)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    files, lost, duplicated = count(work / "inbox", posts)
    return {**figures, "files": files, "lost": lost, "duplicated": duplicated, "exit": code}


def run_bare(work: Path, posts: int, clients: int) -> dict[str, float]:
    (work / "inbox").mkdir()
    proc, port = start([sys.executable, "-c", BARE, str(work / "inbox")], work)
    try:
        figures = load(port, posts, clients)
    finally:
        proc.kill()
        proc.wait(60)
    files, lost, duplicated = count(work / "inbox", posts)
    return {**figures, "files": files, "lost": lost, "duplicated": duplicated}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-receive-") as tmp:
        (Path(tmp) / "flowkit").mkdir()
        (Path(tmp) / "bare").mkdir()
        bare = run_bare(Path(tmp) / "bare", args.posts, args.clients)
        flowkit = run_flowkit(Path(tmp) / "flowkit", args.posts, args.clients)
    for name, f in (("bare", bare), ("flowkit", flowkit)):
        print(
            f"{name:8} {args.posts} posts, {args.clients} clients: {f['wall']:.1f} s ({f['rate']:.0f} posts/s), "
            f"p50 {f['p50']:.1f} ms, p99 {f['p99']:.1f} ms, retries {f['retries']:.0f}; "
            f"inbox: {f['files']:.0f} files, lost {f['lost']:.0f}, duplicated {f['duplicated']:.0f}"
        )
    ratio = flowkit["wall"] / bare["wall"]
    print(f"flowkit receive exited {flowkit['exit']:.0f} after SIGTERM; wall ratio to the bare server {ratio:.2f}")
    print(f"FIGURE receive-lost loopback {flowkit['lost']:.0f} posts 0")
    print(f"FIGURE receive-duplicated loopback {flowkit['duplicated']:.0f} posts 0")
    print(f"FIGURE receive-p99 loopback {flowkit['p99']:.1f} ms {P99_BAR_MS}")
    print(f"FIGURE receive-rate loopback {flowkit['rate']:.0f} posts/s")
    print(f"RATIO receive-wall loopback {ratio:.2f} {RATIO_BAR}")
    ok = flowkit["lost"] == flowkit["duplicated"] == 0 and flowkit["exit"] == 0 and flowkit["files"] == args.posts
    return 0 if ok and flowkit["p99"] <= P99_BAR_MS and ratio <= RATIO_BAR else 1


if __name__ == "__main__":
    sys.exit(main())
