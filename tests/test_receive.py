"""flowkit receive: a real receiver process on 127.0.0.1, real clients (httpx, raw sockets).

Authentication (HMAC, bearer), limits (size, type, depth, XML hardened, slowloris),
202 only once the body is in the inbox under a name its reader takes, Idempotency-Key
replays (also after a restart), concurrent posts, the logs, the config. Kills, full
disks, graceful stops and the readers taking the inbox end to end are in
tests/test_receive_durability.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from conftest import Invoke
from receive_helpers import ROUTES, SECRET, Receiver, bearer, raw_request, read_answer, sign, visible

ORDER = b'{"number": "R-1", "lines": [{"sku": "A", "quantity": 1}]}'


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    server = Receiver(tmp_path, ROUTES, "--read-timeout", "1").start()
    yield server
    server.close()


def signed(body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Signature": sign(body)}


def test_good_hmac_is_202_with_the_body_kept_as_sent(receiver: Receiver, tmp_path: Path) -> None:
    answer = receiver.post("/orders", ORDER, signed(ORDER))
    assert answer.status_code == 202, answer.text
    name = answer.json()["id"]
    assert re.fullmatch(r"order-\d{16}\.json", name) and answer.json()["route"] == "orders"
    assert (tmp_path / "inbox/orders" / name).read_bytes() == ORDER
    digest = hmac.new(SECRET.encode(), ORDER, hashlib.sha256).digest()
    for form in (digest.hex(), digest.hex().upper(), base64.b64encode(digest).decode()):  # hex or base64, prefix or not
        assert receiver.post("/orders", ORDER, {"X-Signature": form, "Content-Type": "application/json"}).status_code == 202
    assert len(visible(tmp_path / "inbox/orders")) == 4


def test_bad_or_missing_hmac_is_refused_and_nothing_kept(receiver: Receiver, tmp_path: Path) -> None:
    wrong = receiver.post("/orders", ORDER, {"Content-Type": "application/json", "X-Signature": sign(ORDER, "other-secret")})
    assert wrong.status_code == 403 and "does not match" in wrong.json()["error"]
    tampered = receiver.post("/orders", ORDER + b" ", signed(ORDER))
    assert tampered.status_code == 403
    missing = receiver.post("/orders", ORDER, {"Content-Type": "application/json"})
    assert missing.status_code == 401 and "X-Signature" in missing.json()["error"]
    assert visible(tmp_path / "inbox/orders") == []
    assert SECRET not in receiver.stderr()


def test_bearer_token(receiver: Receiver, tmp_path: Path) -> None:
    body = b'{"message_seq": 7, "lines": [{"sku": "A", "qty": 1, "seq": 1}]}'
    assert receiver.post("/stock", body, bearer()).status_code == 202
    assert receiver.post("/stock", body, bearer("not-the-token")).status_code == 403
    assert receiver.post("/stock", body, {"Content-Type": "application/json"}).status_code == 401
    assert receiver.post("/stock", body, {"Authorization": f"Basic {SECRET}"}).status_code == 403
    assert [re.sub(r"\d{16}", "T", n) for n in visible(tmp_path / "inbox/stock")] == ["stock-T-7.json"]


def test_wrong_token_is_refused_before_the_body_is_read(receiver: Receiver) -> None:
    with receiver.connect() as sock:  # 10 MB announced, none sent: the answer comes at once, the connection closes
        answer = raw_request(sock, "POST /stock HTTP/1.1\nHost: x\nAuthorization: Bearer nope\nContent-Length: 10000000\n")
    assert answer.startswith(b"HTTP/1.1 403") and b"Connection: close" in answer


def test_oversize_is_413_without_reading_it(receiver: Receiver, tmp_path: Path) -> None:
    big = b'{"pad": "' + b"x" * 5000 + b'"}'
    answer = receiver.post("/shipments", big, bearer())
    assert answer.status_code == 413 and "4096 bytes" in answer.json()["error"]
    with receiver.connect() as sock:
        head = f"POST /shipments HTTP/1.1\nHost: x\nAuthorization: Bearer {SECRET}\nContent-Length: 999999999\n"
        assert raw_request(sock, head).startswith(b"HTTP/1.1 413")
    assert visible(tmp_path / "inbox/shipments") == []


@pytest.mark.parametrize(
    ("path", "body", "content_type", "status", "says"),
    [
        ("/stock", b'{"message_seq": 1, "lines": [', "application/json", 400, "invalid JSON at line 1"),
        ("/stock", b"", "application/json", 400, "empty"),
        ("/stock", b"[" * 200 + b"]" * 200, "application/json", 400, "nested deeper than 128"),
        ("/stock", b'{"n": 99999999999999999999}', "application/json", 400, "integer out of range"),
        ("/stock", b'{"a": 1}\n{"b": \n', "application/x-ndjson", 400, "line 2: invalid JSON"),
        ("/stock", b"<a><b></a>", "application/xml", 400, "invalid XML"),
        ("/stock", b"<a>" * 300 + b"</a>" * 300, "application/xml", 400, "deeper than 256"),
        ("/stock", b"sku,qty\nA,1\n", "text/csv", 415, "text/csv is not accepted"),
        ("/stock", b"sku,qty\nA,1\n", "", 415, "no Content-Type"),
    ],
    ids=["json", "empty", "deep", "bigint", "ndjson", "xml", "xml-deep", "csv", "no-type"],
)
def test_bad_bodies_are_refused(
    receiver: Receiver, tmp_path: Path, path: str, body: bytes, content_type: str, status: int, says: str
) -> None:
    headers = {"Authorization": f"Bearer {SECRET}", "Content-Type": content_type}
    answer = receiver.post(path, body, headers)
    assert answer.status_code == status and says in answer.json()["error"], answer.text
    assert visible(tmp_path / "inbox/stock") == []


def test_an_order_must_be_an_object(receiver: Receiver) -> None:
    body = b"[1, 2]"
    answer = receiver.post("/orders", body, signed(body))
    assert answer.status_code == 400 and "an order must be a JSON object" in answer.json()["error"]


def test_xxe_and_entity_expansion_are_refused(receiver: Receiver, tmp_path: Path) -> None:
    target = tmp_path / "private.txt"
    target.write_text("TOP-SECRET-CONTENT")
    for doc in (
        f'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file://{target}">]><m>&x;</m>',
        '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><m>&b;</m>',
    ):
        answer = receiver.post("/stock", doc.encode(), {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/xml"})
        assert answer.status_code == 400 and "DOCTYPE refused" in answer.json()["error"]
        assert "TOP-SECRET" not in answer.text
    assert visible(tmp_path / "inbox/stock") == []


def test_xml_stock_message_is_named_by_its_message_seq(receiver: Receiver, tmp_path: Path) -> None:
    soap = (Path(__file__).parent.parent / "samples/stock/inventory-1003.xml").read_bytes()
    answer = receiver.post("/stock", soap, {"Authorization": f"Bearer {SECRET}", "Content-Type": "text/xml; charset=utf-8"})
    assert answer.status_code == 202, answer.text
    assert re.fullmatch(r"stock-\d{16}-1003\.xml", answer.json()["id"])


def test_routes_methods_and_chunked(receiver: Receiver) -> None:
    assert receiver.post("/nowhere", ORDER, signed(ORDER)).status_code == 404
    got = httpx.get(receiver.url + "/orders")
    assert got.status_code == 405 and got.headers["Allow"] == "POST"
    chunks = httpx.post(receiver.url + "/stock", content=iter([b'{"a":', b"1}"]), headers=bearer())  # no Content-Length
    assert chunks.status_code == 411


def test_slowloris_headers_are_cut_at_the_read_timeout(receiver: Receiver, tmp_path: Path) -> None:
    """A client trickling its headers a byte at a time (each within the timeout) is cut; others are served meanwhile."""
    slow = receiver.connect()
    started = time.monotonic()
    closed_after = None
    try:
        for byte in b"POST /stock HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            slow.sendall(bytes([byte]))
            time.sleep(0.2)
            if time.monotonic() - started > 0.5:
                body = b'{"message_seq": 3, "lines": []}'
                assert receiver.post("/stock", body, bearer()).status_code == 202  # not blocked by the slow one
            slow.settimeout(0.01)
            try:
                if slow.recv(1) == b"":
                    closed_after = time.monotonic() - started
                    break
            except TimeoutError:
                pass
            except ConnectionResetError:
                closed_after = time.monotonic() - started
                break
    except (BrokenPipeError, ConnectionResetError):
        closed_after = time.monotonic() - started
    finally:
        slow.close()
    assert closed_after is not None and closed_after < 3, "the slow client kept its connection"


def test_slow_body_is_cut_with_408_and_nothing_kept(receiver: Receiver, tmp_path: Path) -> None:
    with receiver.connect() as sock:
        head = f"POST /stock HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {SECRET}\r\nContent-Length: 100\r\n\r\n"
        sock.sendall(head.encode() + b'{"message_seq": 4,')
        started = time.monotonic()
        answer = read_answer(sock)
    assert time.monotonic() - started < 3
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
    assert visible(tmp_path / "inbox/stock") == []


def test_idempotency_key_replays_the_first_answer_also_after_a_restart(tmp_path: Path) -> None:
    receiver = Receiver(tmp_path).start()
    try:
        headers = {**bearer(), "Idempotency-Key": "order-77-attempt"}
        body = b'{"message_seq": 77, "lines": []}'
        first = receiver.post("/stock", body, headers)
        again = receiver.post("/stock", body, headers)
        assert first.status_code == again.status_code == 202
        assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        other = receiver.post("/stock", b'{"message_seq": 78, "lines": []}', headers)
        assert other.status_code == 422 and "another body" in other.json()["error"]
        assert receiver.stop() == 0
        inbox = tmp_path / "inbox/stock"
        (inbox / "done").mkdir()
        (inbox / first.json()["id"]).rename(inbox / "done" / first.json()["id"])  # its reader took it meanwhile
        receiver.start()
        after = receiver.post("/stock", body, headers)
        assert after.status_code == 202 and after.json() == first.json() and after.headers["Idempotent-Replayed"] == "true"
        assert visible(inbox) == [] and visible(inbox / "done") == [first.json()["id"]]
        elsewhere = receiver.post("/shipments", b'{"message_seq": 1}', headers)  # keys are per route
        assert elsewhere.status_code == 202 and "Idempotent-Replayed" not in elsewhere.headers
        assert receiver.post("/stock", body, {**bearer(), "Idempotency-Key": "bad key"}).status_code == 400
    finally:
        receiver.close()


def test_a_key_whose_first_post_was_cut_short_finishes_the_same_file(tmp_path: Path) -> None:
    """The key was recorded (pending, naming the file) but the receiver died before the body was kept."""
    from flowkit.receive.accept import Acceptor
    from flowkit.receive.body import Checked
    from flowkit.receive.config import Route
    from flowkit.receive.keys import Record, sha256

    route = Route("stock", "/stock", tmp_path / "in", kind="stock")
    route.inbox.mkdir()
    body = b'{"message_seq": 9, "lines": []}'
    acceptor = Acceptor()
    acceptor.keys.write(route.inbox, "stock", "k", Record("stock-0000000000000001-9.json", sha256(body)), durable=True)
    answer = Acceptor().accept(route, body, Checked("json", 9), "k")  # a new process
    assert answer.status == 202 and answer.name == "stock-0000000000000001-9.json" and not answer.replay
    assert visible(route.inbox) == ["stock-0000000000000001-9.json"]
    assert Acceptor().accept(route, body, Checked("json", 9), "k").replay


def test_concurrent_posts_none_lost_none_twice(tmp_path: Path) -> None:
    """The load test in small (bench/receive.py runs 10,000 posts): 8 clients, keep-alive, every post a key."""
    receiver = Receiver(tmp_path).start()
    accepted: dict[str, str] = {}
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=receiver.url, timeout=30) as http:
            for i in range(40):
                key = f"c{n}-{i}"
                body = orjson.dumps({"message_seq": n * 1000 + i, "lines": [], "key": key})
                answer = http.post("/stock", content=body, headers={**bearer(), "Idempotency-Key": key})
                assert answer.status_code == 202, answer.text
                if i % 10 == 0:  # a client retrying: the same answer, nothing new
                    assert http.post("/stock", content=body, headers={**bearer(), "Idempotency-Key": key}).json() == answer.json()
                with lock:
                    accepted[key] = answer.json()["id"]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    receiver.stop()
    inbox = tmp_path / "inbox/stock"
    names = visible(inbox)
    assert len(accepted) == 320 and sorted(accepted.values()) == names
    keys = [orjson.loads((inbox / name).read_bytes())["key"] for name in names]
    assert sorted(keys) == sorted(accepted) and len(set(keys)) == 320


def test_rate_limit_and_connection_cap(tmp_path: Path) -> None:
    receiver = Receiver(tmp_path, ROUTES, "--rate-limit", "2", "--max-connections", "2").start()
    try:
        body = b'{"message_seq": 1, "lines": []}'
        codes = [receiver.post("/stock", body, bearer()).status_code for _ in range(4)]
        assert codes[:2] == [202, 202] and 429 in codes[2:]
        limited = receiver.post("/stock", body, bearer())
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        time.sleep(1.1)
        assert receiver.post("/stock", body, bearer()).status_code == 202
        held = [receiver.connect(), receiver.connect()]
        time.sleep(0.2)
        with receiver.connect() as third:
            assert read_answer(third).startswith(b"HTTP/1.1 503")
        for sock in held:
            sock.close()
    finally:
        receiver.close()


def test_logs_one_line_per_post_never_the_secret_or_the_body(tmp_path: Path) -> None:
    receiver = Receiver(tmp_path, ROUTES.replace(f'"{SECRET}"', '"${RECEIVE_SECRET}"'), env={"RECEIVE_SECRET": SECRET})
    receiver.args = ("--read-timeout", "1")
    receiver.start()
    body = b'{"number": "BODY-MARKER-123", "lines": []}'
    assert receiver.post("/orders", body, signed(body)).status_code == 202
    assert receiver.post("/orders", body, {"Content-Type": "application/json", "X-Signature": "sha256=00"}).status_code == 403
    assert receiver.post("/stock", body, bearer()).status_code == 202
    assert receiver.stop() == 0
    log = receiver.stderr()
    assert SECRET not in log and "BODY-MARKER" not in log
    posts = [line for line in log.splitlines() if re.match(r"flowkit: receive: \d{3} ", line)]
    assert len(posts) == 3 and "403 /orders from 127.0.0.1: the X-Signature signature does not match" in posts[1]
    assert "stopped: 2 accepted (0 replayed), 1 refused" in log


def test_config_check_and_routes(invoke: Invoke, tmp_config: Callable[..., Path], tmp_path: Path) -> None:
    path = tmp_config('[receive.routes.orders]\npath = "/orders"\ninbox = "in"\nsignature_heder = "X-Sig"\n')
    result = invoke(["config", "check"], config=path)
    assert result.exit_code == 78 and "unknown key 'receive.routes.orders.signature_heder'" in result.stderr
    assert "did you mean 'signature_header'" in result.stderr
    path = tmp_config('[receive.routes.orders]\ninbox = "in"\nsecret = "x"\n')
    result = invoke(["config", "check"], config=path)
    assert result.exit_code == 78 and "'receive.routes.orders.secret' is only read with auth" in result.stderr
    path = tmp_config('[receive.routes.orders]\ninbox = "in"\nauth = "bearer"\n')
    result = invoke(["receive", "--check"], config=path)
    assert result.exit_code == 78 and "needs a secret" in result.stderr
    # config check refuses what receive refuses at start, every problem with its line
    path = tmp_config(
        '[receive]\nlisten = "localhost"\n[receive.routes.orders]\npath = "orders"\nauth = "bearer"\n'
        '[receive.routes.stock]\npath = "/stock"\n[receive.routes.shipments]\npath = "/stock"\n',
        name="r.toml",
    )
    result = invoke(["config", "check"], config=path)
    assert result.exit_code == 78
    assert [line.split(": ", 1)[1] for line in result.stderr.splitlines()] == [
        f"{path}:2: 'receive.listen' 'localhost': give HOST:PORT (e.g. 127.0.0.1:8080)",
        f"{path}:4: 'receive.routes.orders.path' must be a URL path starting with /",
        f"{path}:5: route 'orders' with auth = \"bearer\" needs a secret",
        f"{path}:9: path /stock is also the path of route 'stock'",
        f"error: {path}: 4 problem(s)",
    ]
    path = tmp_config('[receive]\nmax_body_size = 100\n[receive.routes.orders]\nkind = "order"\n')
    result = invoke(["receive", "--inbox", str(tmp_path / "base"), "--check"], config=path)
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout) == {
        "route": "orders",
        "method": "POST",
        "path": "/orders",
        "inbox": str(tmp_path / "base" / "orders"),
        "kind": "order",
        "auth": "none",
        "max_body_size": 100,
    }
    assert (tmp_path / "base" / "orders").is_dir()


def test_usage_errors(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["receive"])
    assert result.exit_code == 2 and "give --inbox DIR" in result.stderr
    result = invoke(["receive", "--listen", "8080", "--inbox", str(tmp_path)])
    assert result.exit_code == 2 and "HOST:PORT" in result.stderr


def test_an_address_in_use_is_69(receiver: Receiver, tmp_path: Path) -> None:
    import subprocess
    import sys

    address = receiver.url.removeprefix("http://")
    command = [sys.executable, "-m", "flowkit", "--config", str(receiver.config), "receive", "--listen", address]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 69 and f"cannot listen on {address}" in done.stderr and "Traceback" not in done.stderr


def test_expect_100_continue_only_once_the_route_token_and_size_are_good(receiver: Receiver) -> None:
    body = b'{"message_seq": 5, "lines": []}'
    head = f"POST /stock HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {SECRET}\r\nContent-Type: application/json\r\n"
    with receiver.connect() as sock:
        sock.sendall(f"{head}Expect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        assert b"HTTP/1.1 202 Accepted" in read_answer(sock)
    with receiver.connect() as sock:  # too big: refused at once, no 100 Continue, the body never asked for
        sock.sendall(f"{head}Expect: 100-continue\r\nContent-Length: 99999999\r\n\r\n".encode())
        assert read_answer(sock).startswith(b"HTTP/1.1 413")


def test_json_log_lines(tmp_path: Path) -> None:
    import subprocess
    import sys

    config = tmp_path / "receive.toml"
    config.write_text(ROUTES, encoding="utf-8")
    body = b'{"message_seq": 6, "lines": []}'
    headers = {**bearer(), "Idempotency-Key": "j1"}
    command = [sys.executable, "-m", "flowkit", "--config", str(config), "--log-format", "json", "-v", "receive"]
    with subprocess.Popen([*command, "--listen", "127.0.0.1:0"], cwd=tmp_path, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr is not None
        first = orjson.loads(proc.stderr.readline())
        assert first["event"] == "listening" and first["command"] == "receive"
        for _ in range(3):  # the routes
            assert orjson.loads(proc.stderr.readline())["event"] == "route"
        for _ in range(2):
            assert httpx.post(first["url"] + "/stock", content=body, headers=headers).status_code == 202
        proc.terminate()
        lines = [orjson.loads(line) for line in proc.stderr.read().splitlines()]
        assert proc.wait(30) == 0
    posts = [line for line in lines if line["event"] == "post"]
    assert [p["status"] for p in posts] == [202, 202] and "replayed" not in posts[0] and posts[1]["replayed"] is True
    assert posts[0]["route"] == "stock" and posts[0]["client"] == "127.0.0.1" and posts[0]["bytes"] == len(body)
    assert lines[-1]["event"] == "stopped" and lines[-1]["counts"]["replayed"] == 1
