"""deliver over FTP and FTPS (pyftpdlib on 127.0.0.1): atomic upload, TLS verified, auth refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import Invoke, record_line, records
from hostile_names import check_names


def payload(key: str, body: str = "") -> str:
    return record_line(
        "payload",
        key,
        body or f'<order number="{key}"/>',
        meta={"channel": "web", "format": "xml"},
        type="application/xml",
    )


def results(text: str) -> list[dict[str, Any]]:
    return [r["body"] for r in records(text) if r["kind"] == "result"]


def test_ftp_upload_rename_and_duplicate(invoke: Invoke, ftp_server: Any, tmp_path: Path) -> None:
    url = ftp_server.url(f"{tmp_path.name}/") + "?done_suffix=.ok"
    result = invoke(["deliver", "--to", url, "--name", "{meta.channel}/{key}.xml"], input=payload("1") + payload("2"))
    assert result.exit_code == 0, result.stderr
    assert [b["remote_ref"] for b in results(result.stdout)] == [
        f"/{tmp_path.name}/web/1.xml",
        f"/{tmp_path.name}/web/2.xml",
    ]
    folder = ftp_server.home / tmp_path.name / "web"
    assert sorted(p.name for p in folder.iterdir()) == ["1.xml", "1.xml.ok", "2.xml", "2.xml.ok"]
    assert (folder / "2.xml").read_text() == '<order number="2"/>'
    again = invoke(["deliver", "--to", url, "--name", "{meta.channel}/{key}.xml"], input=payload("1", "<v2/>"))
    assert results(again.stdout)[0]["status"] == "delivered"
    assert (folder / "1.xml").read_text() == "<v2/>"
    assert "ftp-secret" not in result.stdout + result.stderr  # the password never reaches the ledger name


def test_ftp_wrong_password_is_refused(invoke: Invoke, ftp_server: Any) -> None:
    url = ftp_server.url().replace("ftp-secret", "nope")
    result = invoke(["deliver", "--to", url], input=payload("1"))
    assert result.exit_code == 69
    assert "refused" in result.stderr and "nope" not in result.stderr


def test_ftps_with_protected_data_channel(invoke: Invoke, ftps_server: Any, tls_cert: tuple[Path, Path], tmp_path: Path) -> None:
    untrusted = invoke(["deliver", "--to", ftps_server.url(f"{tmp_path.name}/")], input=payload("3"))
    assert untrusted.exit_code == 69
    assert "TLS certificate not trusted" in untrusted.stderr
    url = ftps_server.url(f"{tmp_path.name}/") + f"?ca_file={tls_cert[0]}"
    result = invoke(["deliver", "--to", url], input=payload("3") + payload("4"))
    assert result.exit_code == 0, result.stderr
    folder = ftps_server.home / tmp_path.name
    assert sorted(p.name for p in folder.iterdir()) == ["3.xml", "4.xml"]


def test_plain_ftp_to_a_tls_only_server_is_refused(invoke: Invoke, ftps_server: Any) -> None:
    url = ftps_server.url().replace("ftps://", "ftp://")
    result = invoke(["deliver", "--to", url], input=payload("5"))
    assert result.exit_code == 69


def test_hostile_names_over_ftp(invoke: Invoke, ftp_server: Any, tmp_path: Path, state_path: Path) -> None:
    """NUL, control characters, 1,000 characters, ``..`` and absolute names: sanitised, jailed; reruns are duplicates."""
    root = ftp_server.home / tmp_path.name
    root.mkdir(parents=True, exist_ok=True)
    check_names(invoke, state_path, ["--to", ftp_server.url(f"{tmp_path.name}/")], root)
