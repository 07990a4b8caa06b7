"""flowkit receive when things go wrong, and the inbox readers taking what it kept.

kill -9 during posts (no partial file under a name a reader takes, every 202
kept), a full disk (a real 256 KiB tmpfs: 503, nothing half-written, the
retry kept once), SIGTERM with a post in flight (finished, exit 0), then
import-shipment --from-dir, push-stock --from-dir and a dir source reading
the received files end to end.
"""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from conftest import Invoke, records
from receive_helpers import ROUTES, SECRET, Receiver, bearer, hidden, read_answer, sign, visible

from flowkit import inbox as inbox_runner
from flowkit.push_stock.model import seq_from_name

SAMPLES = Path(__file__).parent.parent / "samples"
BIG = ROUTES + '\n[receive.routes.bulk]\npath = "/bulk"\ninbox = "inbox/bulk"\nmax_body_size = 8388608\n'


def test_kill_9_during_posts_leaves_nothing_half_visible(tmp_path: Path) -> None:
    receiver = Receiver(tmp_path, BIG).start()
    bodies: dict[str, bytes] = {}
    acknowledged: list[str] = []
    stop = threading.Event()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            key = f"{n}-{i}"
            body = b'{"key": "%s", "pad": "%s"}' % (key.encode(), (key.encode() * 400_000)[:2_000_000])
            bodies[key] = body
            try:
                answer = httpx.post(
                    receiver.url + "/bulk", content=body, headers={"Content-Type": "application/json"}, timeout=30
                )
            except httpx.HTTPError:
                return  # the receiver died under this post
            if answer.status_code == 202:
                acknowledged.append(answer.json()["id"])
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2.5)
    receiver.kill()
    stop.set()
    for thread in threads:
        thread.join()
    folder = tmp_path / "inbox/bulk"
    names = visible(folder)
    assert acknowledged and set(acknowledged) <= set(names)  # every 202 is kept
    assert [p.name for p in inbox_runner.queue(folder)] == names  # what the inbox readers take
    for name in names:  # and each of them whole, as sent
        data = (folder / name).read_bytes()
        assert data == bodies[orjson.loads(data)["key"]]
    receiver.start()  # a restart removes what the killed one left unfinished
    left = hidden(folder)
    assert left == [] and visible(folder) == names
    assert receiver.stop() == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KiB file system (tmpfs) as the stock route's inbox: it fills after a few posts."""
    mount = tmp_path / "inbox" / "stock"
    mount.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_503_with_nothing_half_written_then_the_retry_is_kept_once(tmp_path: Path, small_disk: Path) -> None:
    receiver = Receiver(tmp_path, ROUTES).start()
    try:
        sent: dict[str, bytes] = {}
        refused = None
        for i in range(20):
            body = b'{"message_seq": %d, "pad": "%s"}' % (i, b"x" * 40_000)
            answer = receiver.post("/stock", body, {**bearer(), "Idempotency-Key": f"k{i}"})
            if answer.status_code == 503:
                refused = (i, body)
                assert "no space left" in answer.json()["error"] and "nothing was kept" in answer.json()["error"]
                assert answer.headers["Retry-After"] == "60"
                break
            assert answer.status_code == 202, answer.text
            sent[answer.json()["id"]] = body
        assert refused is not None, "the 256 KiB disk never filled"
        assert visible(small_disk) == sorted(sent) and hidden(small_disk) == []
        assert all((small_disk / name).read_bytes() == body for name, body in sent.items())
        deadline = time.monotonic() + 5  # the receiver logs a post after answering it
        while "503 /stock from 127.0.0.1" not in receiver.stderr() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "503 /stock from 127.0.0.1" in receiver.stderr()
        subprocess.run(["mount", "-o", "remount,size=4m", str(small_disk)], check=True)
        i, body = refused
        retry = receiver.post("/stock", body, {**bearer(), "Idempotency-Key": f"k{i}"})
        assert retry.status_code == 202 and "Idempotent-Replayed" not in retry.headers
        again = receiver.post("/stock", body, {**bearer(), "Idempotency-Key": f"k{i}"})
        assert again.json() == retry.json() and again.headers["Idempotent-Replayed"] == "true"
        assert visible(small_disk) == sorted([*sent, retry.json()["id"]])
    finally:
        receiver.close()


def test_sigterm_finishes_the_post_in_flight_and_exits_0(tmp_path: Path) -> None:
    receiver = Receiver(tmp_path, ROUTES, "--read-timeout", "5").start()
    idle = httpx.Client(base_url=receiver.url)  # a keep-alive connection left idle: it must not hold the stop
    assert idle.post("/stock", content=b'{"message_seq": 1}', headers=bearer()).status_code == 202
    body = b'{"message_seq": 2, "lines": []}'
    with receiver.connect() as sock:
        head = f"POST /stock HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n"
        sock.sendall(head.encode() + body[:10])
        time.sleep(0.3)
        started = time.monotonic()
        assert receiver.proc is not None
        receiver.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert receiver.proc.poll() is None  # still waiting for this post
        with pytest.raises(httpx.TransportError):
            httpx.post(receiver.url + "/stock", content=body, headers=bearer(), timeout=2)  # no new connection taken
        sock.sendall(body[10:])
        answer = read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 202") and b"Connection: close" in answer
    assert receiver.proc.wait(10) == 0 and time.monotonic() - started < 4
    idle.close()
    assert len(visible(tmp_path / "inbox/stock")) == 2
    assert "stopping (SIGTERM)" in receiver.stderr() and "stopped: 2 accepted" in receiver.stderr()


# The readers take what was received ---------------------------------------------------------------------


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    server = Receiver(tmp_path, ROUTES).start()
    yield server
    server.close()


def test_received_shipments_through_import_shipment_from_dir(receiver: Receiver, tmp_path: Path, invoke: Invoke) -> None:
    orders = str(SAMPLES / "shipments/orders.ndjson")
    direct = invoke(
        [
            "--state",
            str(tmp_path / "direct.db"),
            "import-shipment",
            "--orders",
            orders,
            str(SAMPLES / "shipments/despatch.ndjson"),
        ]
    )
    assert direct.exit_code == 0, direct.stderr
    for line in (SAMPLES / "shipments/despatch.ndjson").read_bytes().splitlines():
        assert receiver.post("/shipments", line, bearer()).status_code == 202
    folder = tmp_path / "inbox/shipments"
    result = invoke(["import-shipment", "--orders", orders, "--from-dir", str(folder)])
    assert result.exit_code == 0, result.stderr
    got = [r["body"] for r in records(result.stdout)]
    assert [b["result"] for b in got] == ["success", "success"]
    assert got == [r["body"] for r in records(direct.stdout)]  # the same as the messages read from their file
    assert visible(folder) == [] and len(visible(folder / "done")) == 2


def test_received_stock_through_push_stock_from_dir_in_message_seq_order(
    receiver: Receiver, tmp_path: Path, invoke: Invoke
) -> None:
    late, first = SAMPLES / "stock/late-1000.json", SAMPLES / "stock/message-1001.json"
    for path, kind in ((first, "application/x-ndjson"), (late, "application/json")):  # 1001 (and 1002) before 1000
        answer = receiver.post("/stock", path.read_bytes(), {**bearer(), "Content-Type": kind})
        assert answer.status_code == 202
    folder = tmp_path / "inbox/stock"
    assert [(seq_from_name(n), Path(n).suffix) for n in visible(folder)] == [(1001, ".ndjson"), (1000, ".json")]
    assert [p.name for p in inbox_runner.queue(folder, seq_from_name)] == visible(folder)[::-1]  # taken: 1000, 1001
    result = invoke(["push-stock", "--target", "web", "--from-dir", str(folder)])
    assert result.exit_code == 0, result.stderr
    direct = invoke(["--state", str(tmp_path / "direct.db"), "push-stock", "--target", "web", str(late), str(first)])
    assert [r["body"] for r in records(result.stdout)] == [r["body"] for r in records(direct.stdout)]
    assert "superseded" not in [r["body"]["result"] for r in records(result.stdout) if r["body"]["message_seq"] == 1000]


def test_received_orders_through_a_dir_source(
    receiver: Receiver, tmp_path: Path, invoke: Invoke, tmp_config: Callable[..., Path]
) -> None:
    for number in ("1204", "1203"):
        body = (SAMPLES / f"orders/{number}.json").read_bytes()
        answer = receiver.post("/orders", body, {"Content-Type": "application/json", "X-Signature": sign(body)})
        assert answer.status_code == 202
    folder = tmp_path / "inbox/orders"
    config = tmp_config(f'[sources.pushed]\ntype = "dir"\npath = "{folder}"\nmove_processed = true\n', name="reader.toml")
    result = invoke(["query-orders", "--source", "pushed", "--unsent"], config=config)
    assert result.exit_code == 0, result.stderr
    assert [r["key"] for r in records(result.stdout)] == ["1204", "1203"]  # in arrival order
    assert all(re.fullmatch(r"order-\d{16}\.json", n) for n in visible(folder / "done"))
