"""query-orders --ready paid,files: an order is emitted only once it is paid and its output files exist.

The assets are served by a real HTTP(S) server on 127.0.0.1 (HEAD, ranged GET,
404, 405), or are files in the test's folder; the store is the real sqlite one.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke, record_line, records
from servers.quiet import QuietHTTPServer

from flowkit.query_orders.readiness import parse, shown, unpaid

ROOT = Path(__file__).resolve().parent.parent
BASE_ORDER = ROOT / "samples" / "orders" / "1203.json"


class Assets(QuietHTTPServer):
    """Output files over HTTP: ``files`` answer 200 (206 to a ranged GET), the others 404.

    Paths in ``no_head`` answer HEAD with 405; ``delay`` seconds pass before each answer.
    ``requests`` keeps (method, path, Range header, client port); ``most`` the most requests in flight at once.
    """

    daemon_threads = True

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), AssetHandler)
        self.files: dict[str, bytes] = {}
        self.no_head: set[str] = set()
        self.delay = 0.0
        self.requests: list[tuple[str, str, str | None, int]] = []
        self.lock = threading.Lock()
        self.busy = self.most = 0
        self.scheme = "http"
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            self.socket = context.wrap_socket(self.socket, server_side=True)
            self.scheme = "https"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}{path}"


class AssetHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client's pool reuses connections
    server: Assets

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, head: bool) -> None:
        server = self.server
        path = self.path.split("?")[0]
        ranged = self.headers.get("Range")
        with server.lock:
            server.requests.append(("HEAD" if head else "GET", path, ranged, self.client_address[1]))
            server.busy += 1
            server.most = max(server.most, server.busy)
        try:
            time.sleep(server.delay)
            if head and path in server.no_head:
                status, body = 405, b""
            elif path in server.files:
                body = server.files[path]
                status, body = (206, body[:1]) if ranged and not head else (200, body)
            else:
                status, body = 404, b"not here"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
        finally:
            with server.lock:
                server.busy -= 1

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)


@pytest.fixture
def assets() -> Iterator[Assets]:
    server = Assets()
    yield server
    server.shutdown()
    server.server_close()


def order(number: str, lines: list[list[str]], payment: str | None = "captured", status: str = "approved") -> dict[str, Any]:
    """The sample order 1203 as ``number``, with one line per entry of ``lines`` holding those asset URLs."""
    doc = json.loads(BASE_ORDER.read_text(encoding="utf-8"))
    doc.update(number=number, id=f"fk-{number}", status=status)
    template = doc["lines"][0]
    doc["lines"] = [
        {**template, "id": str(n), "line_number": n, "assets": [{"role": "print", "url": u} for u in urls]}
        for n, urls in enumerate(lines, 1)
    ]
    doc["payments"] = [{**doc["payments"][0], "status": payment}] if payment != "none" else []
    return doc


def write_orders(folder: Path, *orders: dict[str, Any]) -> None:
    folder.mkdir(exist_ok=True)
    for doc in orders:
        (folder / f"{doc['number']}.json").write_text(json.dumps(doc), encoding="utf-8")


def keys(text: str) -> list[str]:
    return [r["key"] for r in records(text)]


def export_status(state_path: Path, number: str) -> str | None:
    with sqlite3.connect(state_path) as conn:
        row = conn.execute("SELECT export_status FROM orders WHERE number = ?", (number,)).fetchone()
    return row[0] if row else None


def delivered(*numbers: str) -> str:
    """deliver's result records for ``numbers``, all delivered (what mark-sent reads)."""
    return "".join(
        record_line(
            "result",
            n,
            {"key": n, "destination": "mis", "status": "delivered", "remote_ref": f"/mis/{n}.xml", "attempts": 1},
            {"source": "inbox"},
        )
        for n in numbers
    )


# -- files over HTTP ----------------------------------------------------------------------------


def test_orders_with_missing_assets_stay_pending_and_come_back_once_they_exist(
    invoke: Invoke, tmp_path: Path, assets: Assets, state_path: Path
) -> None:
    assets.files = {"/a1.pdf": b"%PDF", "/a2.pdf": b"%PDF", "/b1.pdf": b"%PDF"}
    inbox = tmp_path / "inbox"
    write_orders(
        inbox,
        order("2001", [[assets.url("/a1.pdf")], [assets.url("/a2.pdf")]]),
        order("2002", [[assets.url("/b1.pdf")], [assets.url("/b2.pdf")]]),
    )
    first = invoke(["query-orders", "--source", str(inbox), "--unsent", "--ready", "files"])
    assert first.exit_code == 0, first.stderr
    assert keys(first.stdout) == ["2001"]
    assert first.stderr.splitlines() == [f"flowkit: order 2002 not ready: line 2 asset {assets.url('/b2.pdf')} answered 404"]
    assert (export_status(state_path, "2001"), export_status(state_path, "2002")) == ("queued", "pending")
    assert {(m, p) for m, p, _, _ in assets.requests} == {("HEAD", f"/{n}.pdf") for n in ("a1", "a2", "b1", "b2")}

    marked = invoke(["query-orders", "mark-sent"], input=delivered("2001"))
    assert marked.exit_code == 0, marked.stderr
    again = invoke(["query-orders", "--source", str(inbox), "--unsent", "--ready", "files"])
    assert keys(again.stdout) == [] and "order 2002 not ready" in again.stderr  # still missing: still held back

    assets.files["/b2.pdf"] = b"%PDF"  # the renderer has written it
    ready = invoke(["query-orders", "--source", str(inbox), "--unsent", "--ready", "files"])
    assert ready.exit_code == 0, ready.stderr
    assert keys(ready.stdout) == ["2002"] and ready.stderr == ""  # 2001 (exported) is not emitted twice
    assert export_status(state_path, "2002") == "queued"
    with sqlite3.connect(state_path) as conn:
        counts = [json.loads(r[0]) for r in conn.execute("SELECT counts FROM runs WHERE command = 'query-orders' ORDER BY id")]
    assert [(c["emitted"], c["not_ready"]) for c in counts] == [(1, 1), (0, 1), (1, 0)]


def test_the_story_says_not_ready_once_until_the_reason_changes(
    invoke: Invoke, tmp_path: Path, assets: Assets, state_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    write_orders(inbox, order("2060", [[assets.url("/p1.pdf")], [assets.url("/p2.pdf")]]))
    run = ["query-orders", "--source", str(inbox), "--unsent", "--ready", "files"]
    assert invoke([*run, "--dry-run"]).exit_code == 0  # a dry run records nothing
    assert invoke(["state", "show", "2060"]).exit_code != 0
    for _ in range(3):  # cron, three times: one event
        assert keys(invoke(run).stdout) == []
    assets.files["/p1.pdf"] = b"%PDF"  # one file there, the other still missing: a new reason
    assert keys(invoke(run).stdout) == []
    assets.files["/p2.pdf"] = b"%PDF"
    assert keys(invoke(run).stdout) == ["2060"]
    story = json.loads(invoke(["state", "show", "2060", "--json"]).stdout)
    told = [(e["event"], (e["detail"] or {}).get("reason")) for e in story["events"] if e["event"] == "not-ready"]
    assert told == [
        ("not-ready", f"line 1 asset {assets.url('/p1.pdf')} answered 404 (and 1 more asset(s) not ready)"),
        ("not-ready", f"line 2 asset {assets.url('/p2.pdf')} answered 404"),
    ]
    assert story["events"][-1]["event"] == "queued"


def test_one_order_asked_by_number_that_is_not_ready_exits_75_with_the_reason(
    invoke: Invoke, tmp_path: Path, assets: Assets, state_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    write_orders(inbox, order("2050", [[assets.url("/late.pdf")]]))
    waiting = invoke(["query-orders", "--source", str(inbox), "--number", "2050", "--ready", "files", "--raw"])
    assert waiting.exit_code == 75 and waiting.stdout == ""  # try again later: not bad data
    assert f"order 2050 not emitted: not ready: line 1 asset {assets.url('/late.pdf')} answered 404" in waiting.stderr
    missing = invoke(["query-orders", "--source", str(inbox), "--number", "2051", "--ready", "files"])
    assert missing.exit_code == 65 and "order 2051 not found" in missing.stderr
    assets.files["/late.pdf"] = b"%PDF"
    ready = invoke(["query-orders", "--source", str(inbox), "--number", "2050", "--ready", "files", "--raw"])
    assert ready.exit_code == 0 and json.loads(ready.stdout)["number"] == "2050"


def test_head_refused_falls_back_to_a_ranged_get(invoke: Invoke, tmp_path: Path, assets: Assets) -> None:
    assets.files = {"/x.pdf": b"%PDF-1.4 a large print file"}
    assets.no_head = {"/x.pdf", "/gone.pdf"}
    inbox = tmp_path / "inbox"
    write_orders(inbox, order("2101", [[assets.url("/x.pdf")]]), order("2102", [[assets.url("/gone.pdf")]]))
    result = invoke(["query-orders", "--source", str(inbox), "--ready", "files"])
    assert result.exit_code == 0, result.stderr
    assert keys(result.stdout) == ["2101"]
    assert "order 2102 not ready: line 1 asset " + assets.url("/gone.pdf") + " answered 404" in result.stderr
    asked = sorted((m, p, r) for m, p, r, _ in assets.requests)
    assert asked == [
        ("GET", "/gone.pdf", "bytes=0-0"),
        ("GET", "/x.pdf", "bytes=0-0"),
        ("HEAD", "/gone.pdf", None),
        ("HEAD", "/x.pdf", None),
    ]


def test_an_unreachable_host_is_a_reason_not_a_crash(invoke: Invoke, tmp_path: Path, assets: Assets) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assets.files = {"/ok.pdf": b"%PDF"}
    inbox = tmp_path / "inbox"
    write_orders(inbox, order("2201", [[f"http://127.0.0.1:{port}/x.pdf"]]), order("2202", [[assets.url("/ok.pdf")]]))
    result = invoke(["query-orders", "--source", str(inbox), "--ready", "files"])
    assert result.exit_code == 0, result.stderr
    assert keys(result.stdout) == ["2202"]
    assert f"order 2201 not ready: line 1 asset http://127.0.0.1:{port}/x.pdf unreachable: connection refused" in result.stderr


def test_secrets_in_asset_urls_are_never_logged(invoke: Invoke, tmp_path: Path, assets: Assets) -> None:
    secret_url = (
        assets.url("/art.pdf").replace("://", "://render:Pa55word-x9@") + "?token=tok-8f7e6d5c&X-Amz-Signature=abc123def456"
    )
    inbox = tmp_path / "inbox"
    write_orders(inbox, order("2301", [[secret_url]]))
    result = invoke(["--log-format", "json", "query-orders", "--source", str(inbox), "--ready", "files"])
    assert result.exit_code == 0, result.stderr
    line = json.loads(result.stderr.splitlines()[0])
    assert (line["event"], line["level"], line["key"]) == ("not-ready", "warning", "2301")
    assert line["msg"] == f"flowkit: order 2301 not ready: line 1 asset {assets.url('/art.pdf')}?... answered 404"
    for secret in ("Pa55word-x9", "render:", "tok-8f7e6d5c", "abc123def456"):
        assert secret not in result.stderr
    assert shown("https://u:p4ssw0rd@files.example.com:8443/a.pdf?sig=1") == "https://files.example.com:8443/a.pdf?..."


def test_checks_run_a_few_at_a_time_over_one_pool_and_records_keep_source_order(
    invoke: Invoke, tmp_path: Path, assets: Assets
) -> None:
    assets.delay = 0.15
    assets.files = {f"/{n}-{i}.pdf": b"%PDF" for n in range(2401, 2409) for i in (1, 2)}
    inbox = tmp_path / "inbox"
    write_orders(inbox, *(order(str(n), [[assets.url(f"/{n}-1.pdf")], [assets.url(f"/{n}-2.pdf")]]) for n in range(2401, 2409)))
    result = invoke(["query-orders", "--source", str(inbox), "--ready", "paid,files"])
    assert result.exit_code == 0, result.stderr
    assert keys(result.stdout) == [str(n) for n in range(2401, 2409)]
    assert len(assets.requests) == 16
    assert 1 < assets.most <= 4  # concurrent, within the bound
    assert len({port for *_, port in assets.requests}) <= 4  # connections reused from one pool


def test_https_assets_are_checked_with_tls_verified(
    invoke: Invoke, tmp_path: Path, tls_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = Assets(tls_cert)
    try:
        server.files = {"/t.pdf": b"%PDF"}
        inbox = tmp_path / "inbox"
        write_orders(inbox, order("2501", [[server.url("/t.pdf")]]))
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        untrusted = invoke(["query-orders", "--source", str(inbox), "--ready", "files", "--dry-run"])
        assert untrusted.exit_code == 0 and keys(untrusted.stdout) == []
        assert "order 2501 not ready: line 1 asset " + server.url("/t.pdf") + " unreachable: TLS certificate not trusted" in (
            untrusted.stderr
        )
        monkeypatch.setenv("SSL_CERT_FILE", str(tls_cert[0]))  # the server's CA installed
        trusted = invoke(["query-orders", "--source", str(inbox), "--ready", "files"])
        assert trusted.exit_code == 0, trusted.stderr
        assert keys(trusted.stdout) == ["2501"]
    finally:
        server.shutdown()
        server.server_close()


# -- files on disk (a folder source) -------------------------------------------------------------


def test_file_assets_of_a_folder_source_carried_over_once_they_appear(
    invoke: Invoke, tmp_path: Path, tmp_config: Any, state_path: Path
) -> None:
    art = tmp_path / "art"
    art.mkdir()
    (art / "3001.pdf").write_bytes(b"%PDF")
    (art / "3002-empty.pdf").write_bytes(b"")
    inbox = tmp_path / "inbox"
    write_orders(
        inbox,
        order("3001", [[(art / "3001.pdf").as_uri()], [str(art / "3001.pdf")]]),
        order("3002", [[str(art / "3002.pdf")], [(art / "3002-empty.pdf").as_uri()]]),
    )
    config = tmp_config(f'[sources.inbox]\ntype = "dir"\npath = "{inbox}"\nmove_processed = true\nready = "files"\n')
    first = invoke(["query-orders", "--unsent"], config=config)
    assert first.exit_code == 0, first.stderr
    assert keys(first.stdout) == ["3001"]
    assert first.stderr.splitlines() == [
        f"flowkit: order 3002 not ready: line 1 asset {art / '3002.pdf'} missing (and 1 more asset(s) not ready)"
    ]
    assert not list(inbox.glob("*.json"))  # both files moved to done/: 3002 waits in the store, pending
    assert export_status(state_path, "3002") == "pending"
    invoke(["query-orders", "mark-sent"], input=delivered("3001"), config=config)

    (art / "3002.pdf").write_bytes(b"%PDF")
    half = invoke(["query-orders", "--unsent"], config=config)
    assert keys(half.stdout) == [] and "line 2 asset " + (art / "3002-empty.pdf").as_uri() + " is empty" in half.stderr

    (art / "3002-empty.pdf").write_bytes(b"%PDF")
    done = invoke(["query-orders", "--unsent"], config=config)
    assert done.exit_code == 0, done.stderr
    assert keys(done.stdout) == ["3002"] and done.stderr == ""
    assert export_status(state_path, "3002") == "queued"


def test_dry_run_says_the_same_and_changes_nothing(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_orders(inbox, order("3101", [[str(tmp_path / "nope.pdf")]]), order("3102", [[]], payment="pending"))
    look = invoke(["query-orders", "--source", str(inbox), "--unsent", "--ready", "paid,files", "--dry-run"])
    assert look.exit_code == 0 and look.stdout == ""
    assert look.stderr.splitlines() == [
        f"flowkit: order 3101 not ready: line 1 asset {tmp_path / 'nope.pdf'} missing",
        "flowkit: order 3102 not ready: not paid (payment status pending)",
    ]
    assert export_status(state_path, "3101") is None and export_status(state_path, "3102") is None


# -- paid ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payments", "status", "why"),
    [
        (["captured"], "approved", None),
        (["Paid"], "pending", None),  # the payment's word wins over the order's status
        (["PartiallyRefunded"], "approved", None),
        (["captured", "authorized"], "approved", "not paid (payment status authorized)"),
        (["Pending"], "approved", "not paid (payment status Pending)"),
        (["refunded"], "approved", "not paid (payment status refunded)"),
        ([None], "approved", None),  # no payment status: the order's status decides
        ([], "in_production", None),
        ([], "payment_pending", "not paid (no payment status; order status payment_pending)"),
        ([None], "pending", "not paid (no payment status; order status pending)"),
    ],
)
def test_what_counts_as_paid(payments: list[str | None], status: str, why: str | None) -> None:
    doc = {"number": "1", "status": status, "payments": [{"status": s} for s in payments]}
    assert unpaid(doc) == why


def test_paid_orders_flow_unpaid_ones_wait(invoke: Invoke, tmp_path: Path, state_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_orders(
        inbox,
        order("3201", [[]], payment="captured"),
        order("3202", [[]], payment="authorized"),
        order("3203", [[]], payment="none", status="approved"),
        order("3204", [[]], payment="none", status="payment_pending"),
    )
    result = invoke(["query-orders", "--source", str(inbox), "--unsent", "--ready", "paid"])
    assert result.exit_code == 0, result.stderr
    assert keys(result.stdout) == ["3201", "3203"]
    assert result.stderr.splitlines() == [
        "flowkit: order 3202 not ready: not paid (payment status authorized)",
        "flowkit: order 3204 not ready: not paid (no payment status; order status payment_pending)",
    ]
    assert export_status(state_path, "3202") == "pending"
    (inbox / "3202.json").write_text(json.dumps(order("3202", [[]], payment="captured")), encoding="utf-8")  # captured now
    later = invoke(["query-orders", "--source", str(inbox), "--unsent", "--ready", "paid", "--requeue-after", "600"])
    assert "3202" in keys(later.stdout) and "3202" not in later.stderr


# -- where the checks are set ---------------------------------------------------------------------


def test_config_keys_flag_and_source_table(invoke: Invoke, tmp_path: Path, tmp_config: Any) -> None:
    inbox = tmp_path / "inbox"
    write_orders(inbox, order("3301", [[str(tmp_path / "missing.pdf")]], payment="authorized"))
    base = f'[sources.inbox]\ntype = "dir"\npath = "{inbox}"\n'
    in_command = tmp_config(base + '\n[query-orders]\nready = "files"\n', name="a.toml")
    result = invoke(["query-orders", "--dry-run"], config=in_command)
    assert keys(result.stdout) == [] and "not ready: line 1 asset" in result.stderr

    per_source = tmp_config(base + 'ready = "paid"\n\n[query-orders]\nready = "files"\n', name="b.toml")
    result = invoke(["query-orders", "--dry-run"], config=per_source)  # the source's own table wins over [query-orders]
    assert "not paid (payment status authorized)" in result.stderr and "asset" not in result.stderr

    result = invoke(["query-orders", "--dry-run", "--ready", "none"], config=per_source)  # the flag wins over both
    assert keys(result.stdout) == ["3301"] and result.stderr == ""

    bad = tmp_config(base + 'ready = "paid,flies"\n', name="c.toml")
    result = invoke(["query-orders", "--dry-run"], config=bad)
    assert result.exit_code == 78
    assert (
        "c.toml:4: unknown word 'flies' in 'sources.inbox.ready' (did you mean 'files'?; known: paid, files, none)"
        in result.stderr
    )
    result = invoke(["query-orders", "--dry-run", "--ready", "signed"], config=in_command)
    assert result.exit_code == 2 and "--ready: unknown readiness check 'signed'" in result.stderr
    check = invoke(["config", "check"], config=per_source)
    assert check.exit_code == 0, check.stderr
    check = invoke(["config", "check"], config=bad)  # config check refuses what the run refuses
    assert check.exit_code == 78 and "c.toml:4: unknown word 'flies' in 'sources.inbox.ready'" in check.stderr
    typo = tmp_config(base + '\n[query-orders]\nready = "Paid, fles"\n', name="d.toml")
    check = invoke(["config", "check"], config=typo)
    assert check.exit_code == 78 and "d.toml:6: unknown word 'fles' in 'query-orders.ready'" in check.stderr


def test_parse() -> None:
    assert parse("files, paid") == ("paid", "files")
    assert parse("none") == parse("") == parse(None) == ()
    with pytest.raises(ValueError, match="unknown readiness check 'x'"):
        parse("paid,x")
