"""deliver over SFTP to a real OpenSSH sshd on 127.0.0.1: host keys, auth, atomic upload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Invoke, record_line, records
from hostile_names import check_names
from servers.sshd import Sshd


def payload(key: str, body: str = "", **meta: object) -> str:
    return record_line(
        "payload",
        key,
        body or f'<order number="{key}"/>',
        meta={"channel": "web", "format": "xml", **meta},
        type="application/xml",
    )


def results(text: str) -> list[dict[str, object]]:
    return [r["body"] for r in records(text) if r["kind"] == "result"]


def folder(sshd_server: Sshd, tmp_path: Path) -> Path:
    """A fresh remote folder per test (the server is shared by the session)."""
    path = sshd_server.upload / tmp_path.name
    path.mkdir(parents=True, exist_ok=True)
    return path


def sftp_config(sshd_server: Sshd, remote: Path, tmp_config: Callable[..., Path], **extra: str) -> Path:
    lines = [
        "[destinations.mis]",
        'type = "sftp"',
        'host = "127.0.0.1"',
        f"port = {sshd_server.port}",
        f'username = "{sshd_server.user}"',
        f'path = "{remote}"',
        f'key_file = "{sshd_server.client_key}"',
        f'known_hosts = "{sshd_server.known_hosts}"',
        *[f"{k} = {v}" for k, v in extra.items()],
    ]
    return tmp_config("\n".join(lines) + "\n")


def test_uploads_atomically_with_key_auth(
    invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Callable[..., Path]
) -> None:
    remote = folder(sshd_server, tmp_path)
    config = sftp_config(sshd_server, remote, tmp_config, filename='"{meta.channel}/{key}.xml"')
    result = invoke(["deliver", "--to", "mis"], input=payload("1501") + payload("1502"), config=config)
    assert result.exit_code == 0, result.stderr
    bodies = results(result.stdout)
    assert [b["status"] for b in bodies] == ["delivered", "delivered"]
    assert bodies[0]["remote_ref"] == f"{remote}/web/1501.xml"
    assert sorted(p.name for p in (remote / "web").iterdir()) == ["1501.xml", "1502.xml"]
    assert (remote / "web" / "1502.xml").read_text() == '<order number="1502"/>'
    again = invoke(["deliver", "--to", "mis"], input=payload("1501", "<changed/>"), config=config)
    assert results(again.stdout)[0]["status"] == "delivered"  # replaced via posix-rename
    assert (remote / "web" / "1501.xml").read_text() == "<changed/>"
    assert not [p for p in remote.rglob("*") if p.name.endswith(".part")]


def test_url_form_and_conflict_fail(invoke: Invoke, sshd_server: Sshd, tmp_path: Path) -> None:
    remote = folder(sshd_server, tmp_path)
    (remote / "9.xml").write_text("theirs")
    url = sshd_server.url(f"upload/{tmp_path.name}") + "&conflict=fail"
    result = invoke(["deliver", "--to", url], input=payload("9") + payload("10"))
    assert result.exit_code == 1
    assert [b["status"] for b in results(result.stdout)] == ["failed", "delivered"]
    assert "already exists (conflict = fail)" in result.stderr
    assert (remote / "9.xml").read_text() == "theirs"
    assert sorted(p.name for p in remote.iterdir()) == ["10.xml", "9.xml"]


def test_unknown_host_key_is_refused_with_its_fingerprint(
    invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Callable[..., Path]
) -> None:
    remote = folder(sshd_server, tmp_path)
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    config = sftp_config(sshd_server, remote, tmp_config)
    config.write_text(config.read_text().replace(str(sshd_server.known_hosts), str(empty)))
    result = invoke(["deliver", "--to", "mis"], input=payload("1"), config=config)
    assert result.exit_code == 69
    assert "unknown host key ssh-ed25519 SHA256:" in result.stderr
    assert "ssh-keyscan" in result.stderr and "host_key_fingerprint" in result.stderr
    assert "Traceback" not in result.stderr
    [result_record] = records(result.stdout)  # the record is reported not sent, so mark-sent can tell its story
    assert result_record["body"]["status"] == "failed" and result_record["body"]["exit_code"] == 69
    assert result_record["body"]["error"].startswith("not sent: ") and result_record["body"]["attempts"] == 0
    assert list(remote.iterdir()) == []
    fp = result.stderr.split('host_key_fingerprint = "')[1].split('"')[0]
    pinned = config.read_text() + f'host_key_fingerprint = "{fp}"\n'
    config.write_text(pinned)
    trusted = invoke(["deliver", "--to", "mis"], input=payload("1"), config=config)
    assert trusted.exit_code == 0, trusted.stderr
    assert (remote / "1.xml").exists()


def test_changed_host_key_is_refused(invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Callable[..., Path]) -> None:
    import subprocess

    remote = folder(sshd_server, tmp_path)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "other")], check=True)
    other = " ".join((tmp_path / "other.pub").read_text().split()[:2])
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"[127.0.0.1]:{sshd_server.port} {other}\n")
    config = sftp_config(sshd_server, remote, tmp_config)
    config.write_text(config.read_text().replace(str(sshd_server.known_hosts), str(wrong)))
    result = invoke(["deliver", "--to", "mis"], input=payload("1"), config=config)
    assert result.exit_code == 69
    assert "HOST KEY CHANGED" in result.stderr


def test_wrong_key_is_an_auth_failure(invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Callable[..., Path]) -> None:
    import subprocess

    remote = folder(sshd_server, tmp_path)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "stranger")], check=True)
    config = sftp_config(sshd_server, remote, tmp_config)
    config.write_text(config.read_text().replace(str(sshd_server.client_key), str(tmp_path / "stranger")))
    result = invoke(["deliver", "--to", "mis"], input=payload("1"), config=config)
    assert result.exit_code == 69
    assert "authentication failed" in result.stderr


def test_closed_port_is_temporary(invoke: Invoke, sshd_server: Sshd, tmp_path: Path) -> None:
    from servers.sshd import free_port

    url = sshd_server.url().replace(f":{sshd_server.port}/", f":{free_port()}/")
    result = invoke(["deliver", "--to", url], input=payload("1"))
    assert result.exit_code == 75
    assert "cannot connect" in result.stderr


def test_a_failing_file_in_a_pipelined_window(
    invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Callable[..., Path]
) -> None:
    remote = folder(sshd_server, tmp_path)
    (remote / "blocked").write_text("a file where a folder should be")
    config = sftp_config(sshd_server, remote, tmp_config, filename='"{meta.channel}/{key}.xml"', retries="1")
    stream = payload("1") + payload("2", channel="blocked") + payload("3") + payload("1")
    result = invoke(["deliver", "--to", "mis"], input=stream, config=config)
    assert result.exit_code == 75, result.stderr
    assert [(b["key"], b["status"]) for b in results(result.stdout)] == [
        ("1", "delivered"),
        ("2", "failed"),
        ("3", "delivered"),
        ("1", "duplicate"),
    ]
    assert sorted(p.name for p in (remote / "web").iterdir()) == ["1.xml", "3.xml"]
    (remote / "blocked").unlink()
    retry = invoke(["deliver", "--to", "mis", "--retry-failed"], config=config)
    assert retry.exit_code == 0, retry.stderr
    assert (remote / "blocked" / "2.xml").read_text() == '<order number="2"/>'


def test_hostile_names_over_sftp(
    invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Callable[..., Path], state_path: Path
) -> None:
    """NUL, control characters, 1,000 characters, ``..`` and absolute names: sanitised, jailed; reruns are duplicates."""
    remote = folder(sshd_server, tmp_path)
    check_names(invoke, state_path, ["--to", "mis"], remote, sftp_config(sshd_server, remote, tmp_config))


def test_a_refused_destination_exits_69_even_beside_duplicates(
    invoke: Invoke, sshd_server: Sshd, tmp_path: Path, tmp_config: Callable[..., Path]
) -> None:
    remote = folder(sshd_server, tmp_path)
    config = sftp_config(sshd_server, remote, tmp_config)
    first = invoke(["deliver", "--to", "mis"], input=payload("1"), config=config)
    assert first.exit_code == 0, first.stderr
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    config.write_text(config.read_text().replace(str(sshd_server.known_hosts), str(empty)))
    # "1" is already there (a duplicate, decided by the ledger without connecting); "2" meets the refusal
    result = invoke(["deliver", "--to", "mis"], input=payload("1") + payload("2"), config=config)
    assert result.exit_code == 69, result.stderr  # the refusal, not 1 ("some records failed")
    statuses = {r["key"]: r["body"]["status"] for r in records(result.stdout)}
    assert statuses == {"1": "duplicate", "2": "failed"}
