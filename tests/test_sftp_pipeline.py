"""The pipelined SFTP window (transports/sftp_batch.py) against a real OpenSSH sshd: whole files, one session."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
from conftest import Invoke, records
from servers.sshd import Sshd

from flowkit.config import Config
from flowkit.transports.base import Receipt, from_url
from flowkit.transports.sftp import Sftp


def body(n: int, size: int) -> str:
    """About ``size`` characters of XML, some of them two UTF-8 bytes (the size check counts bytes)."""
    rng = random.Random(n)
    text = "".join(rng.choice("abcdefghij é<>/ ") for _ in range(997)) * (size // 997 + 1)
    return f'<order n="{n}">{text[:size]}</order>'


def test_a_window_of_large_files_arrives_whole(invoke: Invoke, sshd_server: Sshd, tmp_path: Path) -> None:
    """70 payloads (two windows) from 100 bytes to 300 KB: many 32 KiB writes per file, megabytes in flight."""
    remote = sshd_server.upload / tmp_path.name
    remote.mkdir()
    sizes = [100 + (n * 4523) % 300_000 for n in range(70)]
    lines = b"".join(
        orjson.dumps({"flowkit": "record/1", "kind": "payload", "key": f"K{n}", "type": "application/xml", "body": body(n, size)})
        + b"\n"
        for n, size in enumerate(sizes)
    )
    url = sshd_server.url(f"upload/{tmp_path.name}")
    result = invoke(["deliver", "--to", url, "--name", "{key}.xml"], input=lines)
    assert result.exit_code == 0, result.stderr
    assert [r["body"]["status"] for r in records(result.stdout)] == ["delivered"] * 70
    assert sorted(p.name for p in remote.iterdir()) == sorted(f"K{n}.xml" for n in range(70))  # no .part left
    for n, size in enumerate(sizes):
        assert (remote / f"K{n}.xml").read_text(encoding="utf-8") == body(n, size)
    again = invoke(["deliver", "--to", url, "--name", "{key}.xml"], input=lines)
    assert [r["body"]["status"] for r in records(again.stdout)] == ["duplicate"] * 70


def test_the_session_stays_usable_after_a_window(sshd_server: Sshd, tmp_path: Path) -> None:
    """A window's requests and answers leave paramiko's client in step: a stat, then another window, on one connection."""
    remote = sshd_server.upload / tmp_path.name
    remote.mkdir()
    spec = {**from_url(sshd_server.url(f"upload/{tmp_path.name}")), "name": "t"}
    sftp = Sftp(spec, Config())
    try:
        items = [(f"sub/{n}.xml", b"x" * (n * 40_000) + b"\n", {"key": str(n)}) for n in range(1, 6)]
        first = sftp.put_many(items)
        assert [r.remote_ref for r in first if isinstance(r, Receipt)] == [str(remote / f"sub/{n}.xml") for n in range(1, 6)]
        session = sftp.sftp
        assert sftp.exists("sub/3.xml", 120_001) is True  # paramiko's own request, after the window's
        assert sftp.exists("sub/3.xml", 5) is False
        changed = [(name, data.replace(b"x", b"y"), record) for name, data, record in items[:2]]
        assert all(isinstance(r, Receipt) for r in sftp.put_many(changed))
        assert sftp.sftp is session  # the same connection throughout
        cipher = session.get_channel().get_transport().remote_cipher
        assert cipher.endswith("-gcm@openssh.com")  # offered first, and OpenSSH has it
    finally:
        sftp.close()
    assert (remote / "sub" / "1.xml").read_bytes() == b"y" * 40_000 + b"\n"
    assert (remote / "sub" / "5.xml").read_bytes() == b"x" * 200_000 + b"\n"
    assert not [p for p in remote.rglob("*") if p.name.endswith(".part")]
