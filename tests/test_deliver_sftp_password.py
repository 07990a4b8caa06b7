"""deliver over SFTP with a password (paramiko's server side: sshd would need a system account)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Invoke, records
from servers.sftp_password import PASSWORD, USER, PasswordSftp
from test_deliver_sftp import payload


def config(server: PasswordSftp, tmp_config: Callable[..., Path], folder: str) -> Path:
    return tmp_config(
        "\n".join(
            [
                "[destinations.printer]",
                'type = "sftp"',
                'host = "127.0.0.1"',
                f"port = {server.port}",
                f'username = "{USER}"',
                'password = "${PRINTER_SFTP_PASSWORD}"',
                f'known_hosts = "{server.known_hosts}"',
                f'path = "/{folder}"',
                'filename = "{key}.xml"',
            ]
        )
        + "\n"
    )


def test_password_login_delivers_atomically(
    invoke: Invoke, password_sftp: PasswordSftp, tmp_config: Callable[..., Path], tmp_path: Path
) -> None:
    cfg = config(password_sftp, tmp_config, tmp_path.name)
    data = "".join(payload(key) for key in ("P1", "P2", "P3"))
    result = invoke(["deliver", "--to", "printer"], input=data, config=cfg, env={"PRINTER_SFTP_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.stderr
    assert [r["body"]["status"] for r in records(result.stdout)] == ["delivered"] * 3
    remote = password_sftp.folder / tmp_path.name
    assert sorted(p.name for p in remote.iterdir()) == ["P1.xml", "P2.xml", "P3.xml"]  # no .part left
    assert (remote / "P2.xml").read_text() == '<order number="P2"/>'
    again = invoke(["deliver", "--to", "printer"], input=data, config=cfg, env={"PRINTER_SFTP_PASSWORD": PASSWORD})
    assert [r["body"]["status"] for r in records(again.stdout)] == ["duplicate"] * 3


def test_a_wrong_password_is_refused_without_showing_it(
    invoke: Invoke, password_sftp: PasswordSftp, tmp_config: Callable[..., Path], tmp_path: Path
) -> None:
    cfg = config(password_sftp, tmp_config, tmp_path.name)
    result = invoke(
        ["deliver", "--to", "printer"], input=payload("P9"), config=cfg, env={"PRINTER_SFTP_PASSWORD": "not-the-password"}
    )
    assert result.exit_code == 69, result.stderr
    assert f"sftp {USER}@127.0.0.1:{password_sftp.port}: authentication failed" in result.stderr
    assert "not-the-password" not in result.stderr + result.stdout
    assert not (password_sftp.folder / tmp_path.name).exists()
