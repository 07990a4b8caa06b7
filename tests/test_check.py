"""flowkit check against the suite's real servers: sshd, a password SFTP, pyftpdlib, aiosmtpd, HTTP and an order API.

Each target is connected to and probed as deliver or query-orders would reach
it; the probe leaves nothing behind; the exit code is the most severe of the
targets' (78 config, 69 refused, 75 temporary), 0 when all are ok.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke
from query_orders_api import MAGENTO_TOKEN, OMNI_TOKEN, Api, serve
from servers.sftp_password import PASSWORD as SFTP_PASSWORD
from servers.sftp_password import USER as SFTP_USER
from servers.sftp_password import PasswordSftp
from servers.smtp import PASSWORD as SMTP_PASSWORD
from servers.smtp import USER as SMTP_USER
from servers.sshd import Sshd, free_port

Config = Callable[..., Path]


def lines(result: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def one(invoke: Invoke, config: Path, name: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """Check one target with --json: (exit code, its object)."""
    result = invoke(["check", "--json", name], config=config, env=env)
    [found] = lines(result)
    assert found["exit_code"] == result.exit_code, result.stderr
    return result.exit_code, found


def sftp_table(server: Sshd, remote: Path, known_hosts: Path | None = None, name: str = "mis-sftp") -> str:
    return f"""[destinations.{name}]
type = "sftp"
host = "127.0.0.1"
port = {server.port}
username = "{server.user}"
path = "{remote}"
key_file = "{server.client_key}"
known_hosts = "{known_hosts or server.known_hosts}"
"""


# -- hotfolder and dir source (no server) -------------------------------------------------------


def test_hotfolder_and_dir_source_ok_and_the_probe_is_gone(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "1203.json").write_text("{}")
    (tmp_path / "orders" / "notes.txt").write_text("not an order file")
    config = tmp_config(
        '[destinations.mis]\ntype = "hotfolder"\npath = "out/mis"\n\n[sources.shop]\ntype = "dir"\npath = "orders"\n'
    )
    result = invoke(["check"], config=config)
    assert result.exit_code == 0, result.stderr
    mis, shop = result.stdout.splitlines()
    assert mis.startswith("ok    mis   file://") and "wrote and removed .flowkit-check-" in mis and mis.endswith(" s")
    assert shop.startswith("ok    shop  file://") and "readable, 1 order file(s) waiting" in shop
    assert list((tmp_path / "out" / "mis").iterdir()) == []  # made as deliver would, and nothing left in it
    assert "2 target(s) ok" in result.stderr


def test_json_objects_name_the_target_and_its_outcome(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    config = tmp_config(f'[destinations.mis]\ntype = "hotfolder"\npath = "{tmp_path / "out"}"\n')
    code, found = one(invoke, config, "mis")
    assert code == 0
    assert found["target"] == "mis" and found["kind"] == "destination" and found["type"] == "hotfolder"
    assert found["ok"] is True and found["where"] == f"file://{tmp_path / 'out'}/" and found["seconds"] >= 0


def test_a_missing_dir_source_is_a_config_error(invoke: Invoke, tmp_config: Config) -> None:
    config = tmp_config('[sources.inbox]\ntype = "dir"\npath = "nowhere"\n')
    code, found = one(invoke, config, "inbox")
    assert code == 78
    assert "sources.inbox.path" in found["detail"] and "is not a folder" in found["detail"]


def test_an_unreadable_hotfolder_is_refused(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into any folder")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    config = tmp_config(f'[destinations.mis]\ntype = "hotfolder"\npath = "{locked}"\n')
    code, found = one(invoke, config, "mis")
    assert code == 69 and "Permission denied" in found["detail"]


def test_an_unknown_name_is_a_config_error_naming_the_known_ones(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    config = tmp_config(f'[destinations.mis]\ntype = "hotfolder"\npath = "{tmp_path / "out"}"\n')
    result = invoke(["check", "mis", "mys"], config=config)
    assert result.exit_code == 78
    ok, unknown = result.stdout.splitlines()
    assert ok.startswith("ok ")
    assert (
        unknown.startswith("fail  mys ") and "no destination or source named 'mys' (destinations: mis; sources: none)" in unknown
    )
    assert "(exit 78)" in unknown
    assert result.stderr.strip() == "flowkit: error: check: 1 of 2 target(s) failed"


def test_a_config_without_targets_says_so(invoke: Invoke, tmp_config: Config) -> None:
    result = invoke(["check"], config=tmp_config('[log]\nlevel = "info"\n'))
    assert result.exit_code == 78 and "nothing to check" in result.stderr


# -- SFTP: OpenSSH sshd (keys) and paramiko's server side (passwords) ------------------------------------


def test_sftp_ok_and_the_probe_is_gone(invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Config) -> None:
    remote = sshd_server.upload / tmp_path.name / "in"  # made as the first delivery would make it
    code, found = one(invoke, tmp_config(sftp_table(sshd_server, remote)), "mis-sftp")
    assert code == 0, found
    assert found["where"] == f"sftp://{sshd_server.user}@127.0.0.1:{sshd_server.port}{remote}/"
    assert found["detail"].startswith("wrote and removed .flowkit-check-")
    assert list(remote.iterdir()) == []


def test_sftp_unknown_host_key_is_refused_with_the_keyscan_hint_for_the_real_host(
    invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Config
) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    config = tmp_config(sftp_table(sshd_server, sshd_server.upload / tmp_path.name, empty))
    code, found = one(invoke, config, "mis-sftp")
    assert code == 69
    assert f"sftp 127.0.0.1:{sshd_server.port}: unknown host key ssh-ed25519 SHA256:" in found["detail"]
    assert f"the host key for 127.0.0.1 is not in {empty}" in found["detail"]
    assert f"ssh-keyscan -p {sshd_server.port} 127.0.0.1 >> {empty}" in found["detail"]
    assert not (sshd_server.upload / tmp_path.name).exists()


def test_sftp_closed_port_is_temporary_in_words(invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Config) -> None:
    table = sftp_table(sshd_server, tmp_path).replace(f"port = {sshd_server.port}", f"port = {free_port()}")
    result = invoke(["check", "mis-sftp"], config=tmp_config(table))
    assert result.exit_code == 75
    assert result.stdout.startswith("fail  mis-sftp  sftp://") and "  connection refused (exit 75) in " in result.stdout


def test_sftp_wrong_password_is_refused_and_never_shown(
    invoke: Invoke, password_sftp: PasswordSftp, tmp_path: Path, tmp_config: Config
) -> None:
    config = tmp_config(f"""[destinations.printer]
type = "sftp"
host = "127.0.0.1"
port = {password_sftp.port}
username = "{SFTP_USER}"
password = "${{PRINTER_PASSWORD}}"
known_hosts = "{password_sftp.known_hosts}"
path = "/{tmp_path.name}"
""")
    wrong = invoke(["check", "printer"], config=config, env={"PRINTER_PASSWORD": "not-the-password"})
    assert wrong.exit_code == 69
    assert "authentication failed" in wrong.stdout
    assert "not-the-password" not in wrong.stdout + wrong.stderr
    good = invoke(["check", "printer"], config=config, env={"PRINTER_PASSWORD": SFTP_PASSWORD})
    assert good.exit_code == 0, good.stdout
    assert list((password_sftp.folder / tmp_path.name).iterdir()) == []
    assert SFTP_PASSWORD not in good.stdout + good.stderr


# -- FTP / FTPS ---------------------------------------------------------------------------------------


def test_ftp_ok_probe_gone_and_wrong_password_refused(invoke: Invoke, ftp_server: Any, tmp_path: Path) -> None:
    result = invoke(["check", "--json", ftp_server.url(f"{tmp_path.name}/")])
    [found] = lines(result)
    assert result.exit_code == 0, found
    assert found["detail"].startswith("wrote and removed .flowkit-check-")
    assert found["where"] == f"ftp://flowkit@127.0.0.1:{ftp_server.port}/{tmp_path.name}/"
    assert list((ftp_server.home / tmp_path.name).iterdir()) == []
    assert found["target"] == f"ftp://flowkit@127.0.0.1:{ftp_server.port}/{tmp_path.name}/"
    assert "ftp-secret" not in result.stdout + result.stderr
    wrong = invoke(["check", ftp_server.url().replace("ftp-secret", "wrong-secret")])
    assert wrong.exit_code == 69 and "refused" in wrong.stdout and "wrong-secret" not in wrong.stdout


def test_ftps_verifies_the_certificate(invoke: Invoke, ftps_server: Any, tls_cert: tuple[Path, Path], tmp_path: Path) -> None:
    untrusted = invoke(["check", ftps_server.url(f"{tmp_path.name}/")])
    assert untrusted.exit_code == 69 and "TLS certificate not trusted" in untrusted.stdout
    trusted = invoke(["check", ftps_server.url(f"{tmp_path.name}/") + f"?ca_file={tls_cert[0]}"])
    assert trusted.exit_code == 0, trusted.stdout
    assert list((ftps_server.home / tmp_path.name).iterdir()) == []


# -- email ----------------------------------------------------------------------------------------------


def mail_config(tmp_config: Config, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path]) -> Path:
    return tmp_config(f"""[destinations.orders-mail]
type = "email"
host = "127.0.0.1"
port = {smtp_server[0].port}
username = "{SMTP_USER}"
password = "${{SMTP_PASSWORD}}"
from = "{SMTP_USER}"
to = ["mis@example.com"]
ca_file = "{tls_cert[0]}"
""")


def test_email_logs_in_over_starttls_and_sends_nothing(
    invoke: Invoke, smtp_server: tuple[Any, Any], tls_cert: tuple[Path, Path], tmp_config: Config
) -> None:
    config = mail_config(tmp_config, smtp_server, tls_cert)
    code, found = one(invoke, config, "orders-mail", env={"SMTP_PASSWORD": SMTP_PASSWORD})
    assert code == 0, found
    assert found["detail"] == f"connected (STARTTLS), logged in as {SMTP_USER}, NOOP and RSET answered 250; no mail sent"
    assert smtp_server[1].envelopes == []
    code, found = one(invoke, config, "orders-mail", env={"SMTP_PASSWORD": "wrong-password"})
    assert code == 69 and "authentication failed" in found["detail"] and "wrong-password" not in found["detail"]


# -- HTTP destinations ----------------------------------------------------------------------------------


def http_config(tmp_config: Config, base: str, **extra: str) -> Path:
    lines = ["[destinations.erp]", 'type = "http"', f'url = "{base}/erp/orders/{{key}}"', 'method = "PUT"']
    return tmp_config("\n".join([*lines, *(f"{k} = {v}" for k, v in extra.items())]) + "\n")


def test_http_reachable_creates_nothing(invoke: Invoke, http_server: Any, tmp_config: Config) -> None:
    code, found = one(invoke, http_config(tmp_config, http_server.base), "erp")
    assert code == 0, found
    # the test server implements no HEAD (501): the check asks again with a GET, which creates nothing
    assert found["detail"] == f"GET {http_server.base}/erp/orders/: HTTP 404 Not Found (reachable)"
    assert [r["method"] for r in http_server.state.requests] == ["GET"] and http_server.state.stored == {}
    assert found["where"] == f"{http_server.base}/erp/orders/{{key}}"


def test_http_exists_check_url_is_used_when_configured(invoke: Invoke, http_server: Any, tmp_config: Config) -> None:
    config = http_config(tmp_config, http_server.base, exists_url=f'"{http_server.base}/erp/lookup/{{key}}"')
    code, found = one(invoke, config, "erp")
    assert code == 0, found
    [request] = http_server.state.requests
    assert request["method"] == "GET" and request["path"].startswith("/erp/lookup/flowkit-check-")


@pytest.mark.parametrize(("status", "code", "words"), [(503, 75, "the server is failing"), (401, 69, "credentials refused")])
def test_http_5xx_is_temporary_and_401_refused(
    invoke: Invoke, http_server: Any, tmp_config: Config, status: int, code: int, words: str
) -> None:
    http_server.state.script["/erp/orders/"] = [(status, {}, "no")]
    exit_code, found = one(invoke, http_config(tmp_config, http_server.base), "erp")
    assert exit_code == code
    assert f"HTTP {status}" in found["detail"] and words in found["detail"]


def test_http_timeout_in_words(invoke: Invoke, http_server: Any, tmp_config: Config) -> None:
    http_server.state.script["/erp/orders/"] = [("hang", 1.5)]
    result = invoke(["check", "--timeout", "0.3", "erp"], config=http_config(tmp_config, http_server.base))
    assert result.exit_code == 75
    assert "timed out after 0.3 s (exit 75)" in result.stdout


def test_http_bearer_token_never_shown(invoke: Invoke, http_server: Any, tmp_config: Config) -> None:
    http_server.state.script["/erp/orders/"] = [(403, {}, "token tk-very-secret-123 refused")]
    config = http_config(tmp_config, http_server.base, auth='"bearer"', token='"${ERP_TOKEN}"')
    result = invoke(["check", "--json", "erp"], config=config, env={"ERP_TOKEN": "tk-very-secret-123"})
    assert result.exit_code == 69
    assert http_server.state.requests[-1]["headers"]["Authorization"] == "Bearer tk-very-secret-123"
    assert "tk-very-secret-123" not in result.stdout + result.stderr


# -- HTTP sources: the order API of the query-orders tests -----------------------------------------


@pytest.fixture(scope="module")
def api_server() -> Iterator[tuple[str, Api]]:
    yield from serve()


@pytest.fixture
def api(api_server: tuple[str, Api]) -> tuple[str, Api]:
    api_server[1].reset()
    return api_server


ENV = {"OMNI_TOKEN": OMNI_TOKEN, "SHOP_TOKEN": MAGENTO_TOKEN}


def api_config(tmp_config: Config, base: str) -> Path:
    return tmp_config(f"""[sources.omni]
type = "http"
preset = "omnitron"
base_url = "{base}"
token = "${{OMNI_TOKEN}}"
page_size = 2

[sources.shop]
type = "http"
preset = "magento2"
base_url = "{base}"
token = "${{SHOP_TOKEN}}"
page_size = 2
""")


def test_http_sources_list_one_page_with_their_auth(invoke: Invoke, api: tuple[str, Api], tmp_config: Config) -> None:
    base, server = api
    result = invoke(["check", "--json"], config=api_config(tmp_config, base), env=ENV)
    assert result.exit_code == 0, result.stdout
    omni, shop = lines(result)
    assert omni["kind"] == "source" and omni["where"] == f"{base}/api/i1/orders/"
    assert omni["detail"].startswith(f"GET {base}/api/i1/orders/: HTTP 200, 2 order(s) on the first page")
    assert "HTTP 200, 2 order(s) on the first page" in shop["detail"]
    omni_request, shop_request = (path for _, path in server.requests)  # one request each: no detail call
    assert omni_request == "/api/i1/orders/?is_send=False&limit=2"  # as query-orders --unsent sends it
    assert shop_request.startswith("/rest/V1/orders?searchCriteria")


def test_http_source_wrong_token_refused_and_5xx_temporary_without_retries(
    invoke: Invoke, api: tuple[str, Api], tmp_config: Config
) -> None:
    base, server = api
    config = api_config(tmp_config, base)
    code, found = one(invoke, config, "omni", env={**ENV, "OMNI_TOKEN": "wrong-token"})
    assert code == 69 and "refused, HTTP 401" in found["detail"] and "wrong-token" not in found["detail"]
    server.faults["/api/i1/orders/"] = [503]
    code, found = one(invoke, config, "omni", env=ENV)
    assert code == 75 and "HTTP 503" in found["detail"]


def test_http_source_down_is_temporary(invoke: Invoke, tmp_config: Config) -> None:
    code, found = one(invoke, api_config(tmp_config, f"http://127.0.0.1:{free_port()}"), "omni", env=ENV)
    assert code == 75 and found["detail"] == "connection refused"


# -- every target, and the most severe code ---------------------------------------------------------


def test_all_targets_with_no_argument_exit_with_the_most_severe_code(
    invoke: Invoke, sshd_server: Sshd, http_server: Any, tmp_path: Path, tmp_config: Config
) -> None:
    good = sftp_table(sshd_server, sshd_server.upload / tmp_path.name)
    down = sftp_table(sshd_server, tmp_path, name="down").replace(f"port = {sshd_server.port}", f"port = {free_port()}")
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    stranger = sftp_table(sshd_server, tmp_path, empty, name="stranger")
    erp = f'[destinations.erp]\ntype = "http"\nurl = "{http_server.base}/erp/{{key}}"\n'
    inbox = f'[sources.inbox]\ntype = "dir"\npath = "{tmp_path}"\n'
    config = tmp_config("\n".join([good, down, erp, inbox]))
    result = invoke(["check"], config=config)
    assert result.exit_code == 75
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["ok", "mis-sftp"],
        ["fail", "down"],
        ["ok", "erp"],
        ["ok", "inbox"],
    ]
    assert invoke(["check"], config=tmp_config("\n".join([good, down, stranger]))).exit_code == 69
    broken = '[sources.broken]\ntype = "dir"\npath = "missing"\n'
    assert invoke(["check"], config=tmp_config("\n".join([down, stranger, broken]))).exit_code == 78


# -- reasons in words -------------------------------------------------------------------------------------


def test_reasons_name_the_cause_not_the_exception() -> None:
    from flowkit.check.reasons import reason, words
    from flowkit.errors import TempFailError, UnavailableError

    def raised(cause: BaseException, error: Any) -> Any:
        try:
            try:
                raise cause
            except BaseException as exc:
                raise error from exc
        except BaseException as exc:
            return exc

    refused = raised(ConnectionRefusedError(111, "Connection refused"), TempFailError("sftp h:22: cannot connect: [Errno 111]"))
    assert reason(refused) == "connection refused"
    assert words(TimeoutError("timed out"), 10) == "timed out after 10 s"
    import socket

    assert words(socket.gaierror(-2, "Name or service not known")) == "host name not found"
    host_key = raised(ConnectionResetError(104, "reset"), UnavailableError("sftp h: unknown host key"))
    assert reason(host_key) == "sftp h: unknown host key"  # a refusal keeps its own message


def test_https_certificate_is_verified(
    invoke: Invoke, https_server: Any, tls_cert: tuple[Path, Path], tmp_config: Config
) -> None:
    untrusted = http_config(tmp_config, https_server.base)
    code, found = one(invoke, untrusted, "erp")
    assert code == 69 and "TLS certificate not trusted" in found["detail"]
    trusted = http_config(tmp_config, https_server.base, ca_file=f'"{tls_cert[0]}"')
    code, found = one(invoke, trusted, "erp")
    assert code == 0, found


def test_a_store_source_opens_the_state_store(invoke: Invoke, tmp_config: Config) -> None:
    code, found = one(invoke, tmp_config('[sources.again]\ntype = "store"\nexport_status = ["failed"]\n'), "again")
    assert code == 0, found
    assert found["where"] == "state store" and found["detail"] == "0 order(s) failed in the state store"


def test_a_hotfolder_that_cannot_be_made_is_refused(invoke: Invoke, tmp_path: Path, tmp_config: Config) -> None:
    (tmp_path / "a-file").write_text("")
    config = tmp_config(f'[destinations.mis]\ntype = "hotfolder"\npath = "{tmp_path / "a-file" / "out"}"\n')
    code, found = one(invoke, config, "mis")
    assert code == 69 and "Not a directory" in found["detail"]
