"""Secrets never in clear, credentials never to another origin.

The big test plants distinctive secret values (environment, ``file:``, URL
password, API-key header, bearer token, query parameter) for an HTTP source
and HTTP, SFTP, FTP and email destinations, runs the commands to success and
to failure (401, 500, unreachable, redirects), then greps every stdout and
stderr, every result record, the log at ``-vv`` as text and JSON, the
``state`` and ``config`` outputs and the raw bytes of the sqlite store for
each of them.
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from conftest import Invoke, record_line
from query_orders_api import OMNI_TOKEN, Api, serve
from servers import ftp as ftp_srv
from servers import sftp_password, smtp
from servers.http import Server

from flowkit.secrets import forget, redact, redact_text, remember

PLANTED = {
    "bearer token (env)": "tok-PLANTED-env-7f3a91c2",
    "api-key header (file:)": "key-PLANTED-file-5c2e80d4",
    "url password": "pw-PLANTED-url-9d41b6e7",
    "query api_key": "qs-PLANTED-query-1a2b3c4d",
    "source api-key header (file:)": "src-PLANTED-hdr-33aa01ef",
    "source token (env)": OMNI_TOKEN,
    "source wrong token (env)": "src-PLANTED-badtok-77c1",
    "source url password": "srcpw-PLANTED-url-4e5f",
    "sftp password (env)": sftp_password.PASSWORD,
    "sftp wrong password (env)": "sftp-PLANTED-wrong-8b9c",
    "ftp password (file:)": ftp_srv.PASSWORD,
    "ftp wrong password (url)": "ftp-PLANTED-wrong-2d3e",
    "smtp password (env)": smtp.PASSWORD,
    "smtp wrong password (file:)": "smtp-PLANTED-wrong-6f70",
}
# the forms a secret takes on the wire: Basic credentials, URL-quoted
PLANTED["url password (basic auth)"] = base64.b64encode(f"erpuser:{PLANTED['url password']}".encode()).decode()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Scan:
    """Everything a user or an operator can see, by label."""

    outputs: list[tuple[str, bytes]] = field(default_factory=list)

    def add(self, label: str, data: str | bytes) -> None:
        self.outputs.append((label, data.encode() if isinstance(data, str) else data))

    def hits(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, value in PLANTED.items():
            forms = {value.encode(), quote(value, safe="").encode()}
            where = [label for label, data in self.outputs for form in forms if form in data]
            if where:
                found[name] = where
        return found

    @property
    def size(self) -> int:
        return sum(len(data) for _, data in self.outputs)


@pytest.fixture(scope="module")
def source_api() -> Iterator[tuple[str, Api]]:
    yield from serve()


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[Server]:
    """Another origin (its own port): a redirect must never bring credentials here."""
    server = Server()
    yield server
    server.stop()


@pytest.fixture
def setup(
    tmp_path: Path,
    tmp_config: Callable[..., Path],
    http_server: Any,
    source_api: tuple[str, Api],
    elsewhere: Server,
    password_sftp: Any,
    ftp_server: Any,
    smtp_server: tuple[Any, Any],
    tls_cert: tuple[Path, Path],
) -> tuple[Path, dict[str, str]]:
    source_api[1].reset()
    elsewhere.state.reset()
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, value in (
        ("erp-key", PLANTED["api-key header (file:)"]),
        ("src-key", PLANTED["source api-key header (file:)"]),
        ("ftp", PLANTED["ftp password (file:)"]),
        ("smtp-wrong", PLANTED["smtp wrong password (file:)"]),
    ):
        (secrets / name).write_text(value + "\n")
    erp = http_server.base.replace("http://", "")
    gone = closed_port()
    qs = PLANTED["query api_key"]
    config = tmp_config(f"""
[deliver]
base_delay = 0.01
max_delay = 0.02
retries = 1

[destinations.erp]
type = "http"
url = "http://{erp}/orders/{{key}}?api_key={qs}"
auth = "bearer"
token = "${{ERP_TOKEN}}"
headers = {{ "X-Api-Key" = "file:{secrets / "erp-key"}", "X-Trace" = "trace-ok" }}
timeout = 2

[destinations.erp-basic]
type = "http"
url = "http://erpuser:{PLANTED["url password"]}@{erp}/basic/{{key}}"
timeout = 2

[destinations.erp-gone]
type = "http"
url = "http://erpuser:{PLANTED["url password"]}@127.0.0.1:{gone}/orders/{{key}}?api_key={qs}"
connect_timeout = 0.5

[destinations.printer]
type = "sftp"
host = "127.0.0.1"
port = {password_sftp.port}
username = "{sftp_password.USER}"
password = "${{SFTP_PASSWORD}}"
known_hosts = "{password_sftp.known_hosts}"
path = "/{tmp_path.name}"

[destinations.printer-wrong]
type = "sftp"
host = "127.0.0.1"
port = {password_sftp.port}
username = "{sftp_password.USER}"
password = "${{SFTP_WRONG}}"
known_hosts = "{password_sftp.known_hosts}"
path = "/{tmp_path.name}"

[destinations.ftp]
type = "ftp"
host = "127.0.0.1"
port = {ftp_server.port}
username = "{ftp_srv.USER}"
password = "file:{secrets / "ftp"}"
path = "/{tmp_path.name}"

[destinations.mail]
type = "email"
host = "127.0.0.1"
port = {smtp_server[0].port}
username = "{smtp.USER}"
password = "${{SMTP_PASSWORD}}"
from = "{smtp.USER}"
to = ["mis@example.com"]
ca_file = "{tls_cert[0]}"

[destinations.mail-wrong]
type = "email"
host = "127.0.0.1"
port = {smtp_server[0].port}
username = "{smtp.USER}"
password = "file:{secrets / "smtp-wrong"}"
from = "{smtp.USER}"
to = ["mis@example.com"]
ca_file = "{tls_cert[0]}"

[sources.shop]
type = "http"
preset = "omnitron"
base_url = "{source_api[0]}"
token = "${{SHOP_TOKEN}}"
headers = {{ "X-Api-Key" = "file:{secrets / "src-key"}" }}
retries = 1
backoff = 0.01

[sources.shop-wrong]
type = "http"
preset = "omnitron"
base_url = "{source_api[0]}"
token = "${{SHOP_WRONG}}"
retries = 0

[sources.shop-gone]
type = "http"
preset = "omnitron"
base_url = "http://srcuser:{PLANTED["source url password"]}@127.0.0.1:{gone}"
token = "${{SHOP_TOKEN}}"
retries = 0
""")
    env = {
        "ERP_TOKEN": PLANTED["bearer token (env)"],
        "SHOP_TOKEN": PLANTED["source token (env)"],
        "SHOP_WRONG": PLANTED["source wrong token (env)"],
        "SFTP_PASSWORD": PLANTED["sftp password (env)"],
        "SFTP_WRONG": PLANTED["sftp wrong password (env)"],
        "SMTP_PASSWORD": PLANTED["smtp password (env)"],
    }
    return config, env


def json_payload(key: str) -> str:
    return record_line("payload", key, {"number": key}, meta={"channel": "web"})


def xml_payload(key: str) -> str:
    return record_line("payload", key, f'<order number="{key}"/>', meta={"channel": "web"}, type="application/xml")


def test_planted_secrets_appear_in_no_output_and_not_in_the_store(
    invoke: Invoke,
    setup: tuple[Path, dict[str, str]],
    http_server: Any,
    source_api: tuple[str, Api],
    elsewhere: Server,
    ftp_server: Any,
    state_path: Path,
    tmp_path: Path,
) -> None:
    config, env = setup
    scan = Scan()
    runs = 0

    def run(label: str, args: list[str], stdin: str | None = None, expect: int | None = None, echoes: bool = False) -> Any:
        nonlocal runs
        runs += 1
        log = ["--log-format", "json"] if runs % 2 else []
        result = invoke(["-vv", *log, *args], input=stdin, config=config, env=env)
        if not echoes:  # a filter's stdout passes its input records through unchanged: that input is not its own
            scan.add(f"{label}: stdout", result.stdout)
        scan.add(f"{label}: stderr", result.stderr)
        if expect is not None:
            assert result.exit_code == expect, (label, result.stdout, result.stderr)
        return result

    qs = PLANTED["query api_key"]
    token, api_key = PLANTED["bearer token (env)"], PLANTED["api-key header (file:)"]
    echo = f"bad credentials: Bearer {token} X-Api-Key={api_key}"
    http_server.state.script[f"/orders/H2?api_key={qs}"] = [(401, {}, echo)]
    http_server.state.script[f"/orders/H3?api_key={qs}"] = [(500, {}, echo)] * 4
    http_server.state.script[f"/orders/R1?api_key={qs}"] = [(307, {"Location": f"{elsewhere.base}/steal"}, "")]
    same = f"{http_server.base}/orders/R2b?api_key={qs}"
    http_server.state.script[f"/orders/R2?api_key={qs}"] = [(307, {"Location": same}, "")]

    # HTTP destinations: success, 401, 500 (and --retry-failed), unreachable, redirects
    run("deliver erp", ["deliver", "--to", "erp"], json_payload("H1") + json_payload("H2") + json_payload("H3"))
    run("deliver erp retry", ["deliver", "--to", "erp", "--retry-failed"])
    run("deliver erp-basic", ["deliver", "--to", "erp-basic"], json_payload("U1"), expect=0)
    run("deliver erp-gone", ["deliver", "--to", "erp-gone"], json_payload("U2"), expect=75)
    run("deliver erp redirects", ["deliver", "--to", "erp"], json_payload("R1") + json_payload("R2"))
    assert http_server.state.stored["/orders/H1?api_key=" + qs] == b'{"number":"H1"}'
    # SFTP, FTP (a named destination, and a URL with a wrong password; unreachable), email
    run("deliver sftp", ["deliver", "--to", "printer"], xml_payload("S1"), expect=0)
    run("deliver sftp wrong", ["deliver", "--to", "printer-wrong"], xml_payload("S2"), expect=69)
    run("deliver ftp", ["deliver", "--to", "ftp"], xml_payload("F1"), expect=0)
    wrong = f"ftp://{ftp_srv.USER}:{PLANTED['ftp wrong password (url)']}@127.0.0.1:{ftp_server.port}/{tmp_path.name}/"
    run("deliver ftp wrong", ["deliver", "--to", wrong], xml_payload("F2"), expect=69)
    gone = f"ftp://{ftp_srv.USER}:{PLANTED['ftp wrong password (url)']}@127.0.0.1:{closed_port()}/x/?timeout=0.5"
    run("deliver ftp gone", ["deliver", "--to", gone], xml_payload("F3"))
    run("deliver mail", ["deliver", "--to", "mail"], xml_payload("M1"), expect=0)
    run("deliver mail wrong", ["deliver", "--to", "mail-wrong"], xml_payload("M2"), expect=69)

    # the HTTP source: success, 401, 500, unreachable, redirects, mark-sent
    api = source_api[1]
    run("query-orders", ["query-orders", "--source", "shop", "--unsent"], expect=0)
    run("query-orders 401", ["query-orders", "--source", "shop-wrong", "--number", "OMN-6001"], expect=69)
    api.faults["/api/i1/orders/"] = [500, 500]
    run("query-orders 500", ["query-orders", "--source", "shop", "--number", "OMN-6001"], expect=75)
    run("query-orders gone", ["query-orders", "--source", "shop-gone"], expect=75)  # unreachable: temporary, as for a destination
    api.faults["/api/i1/orders/"] = [("redirect", f"{elsewhere.base}/api/i1/orders/")]
    run("query-orders redirect", ["query-orders", "--source", "shop", "--number", "OMN-6001"])
    api.faults["/api/i1/orders/"] = [("redirect", f"{source_api[0]}/api/i1/orders/?number=OMN-6002")]
    run("query-orders same-origin redirect", ["query-orders", "--source", "shop", "--number", "OMN-6002"])
    leaked = f"POST http://erpuser:{PLANTED['url password']}@host/orders/OMN-6002?api_key={qs}: HTTP 500: {echo}"
    results = record_line("result", "OMN-6001", {"key": "OMN-6001", "destination": "erp", "status": "delivered"}) + record_line(
        "result", "OMN-6002", {"key": "OMN-6002", "destination": "erp", "status": "failed", "error": leaked, "exit_code": 75}
    )
    run("mark-sent", ["query-orders", "mark-sent"], results, echoes=True)  # its events and stderr are scanned

    # what an operator looks at afterwards, with the config and without it (the store alone)
    keys = ["H1", "H2", "H3", "U1", "U2", "R1", "R2", "S1", "S2", "F1", "F2", "F3", "M1", "M2", "OMN-6001", "OMN-6002"]
    for key in keys:
        run(f"state show {key}", ["state", "show", key, "--json"])
        run(f"state sent {key}", ["state", "sent", key, "--body"])
        bare = invoke(["state", "show", key, "--json"])
        scan.add(f"state show {key} (no config)", bare.stdout + bare.stderr)
        bare = invoke(["state", "sent", key, "--body"])
        scan.add(f"state sent {key} (no config)", bare.stdout + bare.stderr)
    run("state runs", ["state", "runs", "--limit", "100"], expect=0)
    run("state exports", ["state", "exports"])
    run("config show", ["config", "show"], expect=0)
    run("config check", ["config", "check"], expect=0)
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{state_path}{suffix}")
        if path.exists():
            scan.add(f"store file {path.name}", path.read_bytes())
    # and what reached the other origin
    for request in elsewhere.state.requests:
        scan.add(f"request at another origin {request['path']}", orjson.dumps(request, default=str))

    hits = scan.hits()
    figures = f"{len(scan.outputs)} outputs, {scan.size} bytes, {sum(len(v) for v in hits.values())} hits"
    print(f"secret grep: {runs} runs, {figures}")
    assert not hits, f"{figures}: " + "; ".join(f"{name} in {', '.join(where)}" for name, where in hits.items())
    assert not elsewhere.state.requests  # nothing at all went to the other origin


def test_the_archived_request_masks_configured_headers_token_and_query_key(
    invoke: Invoke, setup: tuple[Path, dict[str, str]], http_server: Any
) -> None:
    config, env = setup
    result = invoke(["deliver", "--to", "erp"], input=json_payload("A1"), config=config, env=env)
    assert result.exit_code == 0, result.stderr
    [request] = http_server.state.requests
    assert request["headers"]["X-Api-Key"] == PLANTED["api-key header (file:)"]  # sent, only never kept
    assert request["headers"]["X-Trace"] == "trace-ok"
    [sent] = orjson.loads(invoke(["state", "sent", "A1", "--body"]).stdout)
    kept = sent["response"]["request"]
    assert kept["headers"]["authorization"] == kept["headers"]["x-api-key"] == kept["headers"]["x-trace"] == "***"
    assert kept["headers"]["content-type"] == "application/json"
    assert kept["url"].endswith("/orders/A1?api_key=***")
    assert sent["body"] == '{"number":"A1"}'


def test_http_destination_refuses_a_redirect_to_another_origin(
    invoke: Invoke, setup: tuple[Path, dict[str, str]], http_server: Any, elsewhere: Server
) -> None:
    config, env = setup
    qs = PLANTED["query api_key"]
    http_server.state.script[f"/orders/X1?api_key={qs}"] = [(302, {"Location": f"{elsewhere.base}/x"}, "")]
    http_server.state.script[f"/orders/X2?api_key={qs}"] = [(308, {"Location": f"{elsewhere.base}/x"}, "")]
    result = invoke(["deliver", "--to", "erp"], input=json_payload("X1") + json_payload("X2"), config=config, env=env)
    assert result.exit_code == 69, result.stderr
    here, there = http_server.base, elsewhere.base
    for body in (r["body"] for r in records_of(result.stdout)):
        assert body["status"] == "failed" and body["exit_code"] == 69
        assert f"redirects from {here} to another origin, {there}: refused" in body["error"]
    assert f"to another origin, {there}" in result.stderr
    assert elsewhere.state.requests == []


def test_http_destination_follows_a_redirect_within_its_origin_with_method_and_body(
    invoke: Invoke, setup: tuple[Path, dict[str, str]], http_server: Any
) -> None:
    config, env = setup
    qs = PLANTED["query api_key"]
    moved = f"{http_server.base}/v2/orders/Y1?api_key={qs}"
    http_server.state.script[f"/orders/Y1?api_key={qs}"] = [(307, {"Location": moved}, "")]
    http_server.state.script[f"/orders/Y2?api_key={qs}"] = [(302, {"Location": moved}, "")]
    result = invoke(["deliver", "--to", "erp"], input=json_payload("Y1") + json_payload("Y2"), config=config, env=env)
    first, second = (r["body"] for r in records_of(result.stdout))
    assert first["status"] == "delivered" and first["remote_ref"] == "201 /v2/orders/Y1?api_key=***"
    assert http_server.state.stored[f"/v2/orders/Y1?api_key={qs}"] == b'{"number":"Y1"}'
    assert [r["method"] for r in http_server.state.requests[:2]] == ["POST", "POST"]
    # a 302 answering a POST would become a GET: not followed, a permanent failure as before
    assert second["status"] == "failed" and second["exit_code"] == 65 and "HTTP 302" in second["error"]


def test_http_source_refuses_a_redirect_to_another_origin_and_follows_one_within(
    invoke: Invoke, setup: tuple[Path, dict[str, str]], source_api: tuple[str, Api], elsewhere: Server
) -> None:
    config, env = setup
    base, api = source_api
    api.faults["/api/i1/orders/"] = [("redirect", f"{elsewhere.base}/api/i1/orders/")]
    refused = invoke(["query-orders", "--source", "shop", "--number", "OMN-6001"], config=config, env=env)
    assert refused.exit_code == 69 and refused.stdout == ""
    assert f"HTTP 302 redirects from {base} to another origin, {elsewhere.base}: refused" in refused.stderr
    assert elsewhere.state.requests == []
    api.faults["/api/i1/orders/"] = [("redirect", f"{base}/api/i1/orders/?number=OMN-6002")]
    followed = invoke(["query-orders", "--source", "shop", "--number", "OMN-6002", "--raw"], config=config, env=env)
    assert followed.exit_code == 0, followed.stderr
    assert orjson.loads(followed.stdout)["number"] == "OMN-6002"


def records_of(text: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in text.splitlines() if line.strip()]


# --- the redaction function itself -----------------------------------------------------------------


@pytest.fixture
def known() -> Iterator[None]:
    forget()
    remember("s3cr3t@value")
    yield
    forget()


def test_redact_text_masks_known_values_userinfo_query_and_auth_headers(known: None) -> None:
    text = (
        "GET https://u:hunter22@h.example/x?api_key=abc123&page=2&access_token=zz9 "
        "Authorization: Bearer eyJ.abc.def echo s3cr3t@value and s3cr3t%40value"
    )
    assert redact_text(text) == (
        "GET https://u:***@h.example/x?api_key=***&page=2&access_token=*** Authorization: Bearer *** echo *** and ***"
    )


def test_redact_text_leaves_ordinary_text_alone(known: None) -> None:
    text = "POST http://127.0.0.1:8080/orders/1?page=2: HTTP 500 Internal Server Error: busy"
    assert redact_text(text) == text


def test_short_values_are_not_masked_in_free_text() -> None:
    forget()
    remember("ab")
    assert redact_text("a table about tabs") == "a table about tabs"
    forget()


def test_redact_structures_masks_secret_keys_headers_and_urls(known: None) -> None:
    data = {
        "password": "literal",
        "token": "${TOKEN}",
        "url": "sftp://u:pw@host/x",
        "headers": {"X-Api-Key": "file:/run/k", "X-Plain": "literal-header"},
        "note": "contains s3cr3t@value",
        "n": 3,
    }
    assert redact(data) == {
        "password": "***",
        "token": "${TOKEN}",
        "url": "sftp://u:***@host/x",
        "headers": {"X-Api-Key": "file:/run/k", "X-Plain": "***"},
        "note": "contains ***",
        "n": 3,
    }


def test_resolved_secrets_are_remembered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from flowkit.config import resolve_secret

    forget()
    monkeypatch.setenv("SOME_TOKEN", "from-the-environment")
    (tmp_path / "pw").write_text("from-a-file\n")
    resolve_secret("${SOME_TOKEN}")
    resolve_secret(f"file:{tmp_path / 'pw'}")
    assert redact_text("from-the-environment, from-a-file") == "***, ***"
    forget()


def test_a_credential_after_its_scheme_word_and_its_json_escaped_form_are_masked_a_username_is_not() -> None:
    """Review findings: a server echoing the token alone, PHP's escaped '/', and '3 orders failed' left readable."""
    from flowkit import secrets

    secrets.forget()
    try:
        secrets.remember("Bearer tk_live_9f8e7d6c5b4a")
        secrets.remember("abc/defghij/klm")
        secrets.remember_config({"destinations": {"s": {"username": "orders", "password": "${FLOWKIT_NO_SUCH_VAR}"}}})
        text = secrets.redact_text('{"error":"token tk_live_9f8e7d6c5b4a is expired","t":"abc\\/defghij\\/klm"} 3 orders')
    finally:
        secrets.forget()
    assert "tk_live_9f8e7d6c5b4a" not in text and "defghij" not in text
    assert text.endswith(" 3 orders")
