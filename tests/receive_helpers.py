"""A real ``flowkit receive`` process on 127.0.0.1 for the tests: started, posted to, stopped or killed."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

SECRET = "s3cret-for-the-tests"
ROUTES = f"""
[receive.routes.orders]
path = "/orders"
inbox = "inbox/orders"
kind = "order"
auth = "hmac-sha256"
secret = "{SECRET}"

[receive.routes.stock]
path = "/stock"
inbox = "inbox/stock"
kind = "stock"
auth = "bearer"
secret = "{SECRET}"

[receive.routes.shipments]
path = "/shipments"
inbox = "inbox/shipments"
kind = "shipment"
auth = "bearer"
secret = "{SECRET}"
max_body_size = 4096
"""


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def bearer(secret: str = SECRET) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


class Receiver:
    """``python -m flowkit --config CONFIG -v receive --listen 127.0.0.1:0 ARGS``; stderr kept in a file."""

    def __init__(self, tmp_path: Path, config: str = ROUTES, *args: str, env: dict[str, str] | None = None) -> None:
        self.folder = tmp_path
        self.config = tmp_path / "receive.toml"
        self.config.write_text(config, encoding="utf-8")
        self.args = args
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.folder / f"receive-{self.starts}.log"

    def start(self, timeout: float = 30) -> Receiver:
        self.starts += 1
        cmd = [sys.executable, "-m", "flowkit", "--config", str(self.config), "-v", "receive", "--listen", "127.0.0.1:0"]
        with self.log.open("wb") as err:
            self.proc = subprocess.Popen([*cmd, *self.args], cwd=self.folder, stdout=subprocess.DEVNULL, stderr=err, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"listening on (http://\S+)", self.stderr())
            if found:
                self.url = found.group(1)
                return self
            if self.proc.poll() is not None:
                raise AssertionError(f"receive exited {self.proc.returncode}: {self.stderr()}")
            time.sleep(0.05)
        raise AssertionError(f"receive did not start: {self.stderr()}")

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.url + path, content=body, headers=headers or {}, timeout=30, **kwargs)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.send_signal(signum)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(30)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()


def visible(folder: Path) -> list[str]:
    """The files an inbox reader sees: not hidden, not in sub-folders (flowkit.inbox.queue, the dir source)."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name.startswith("."))


def raw_request(sock: socket.socket, head: str, body: bytes = b"") -> bytes:
    """Send ``head`` (CRLF added) and ``body``; read the answer until the server closes or a whole answer came."""
    sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
    return read_answer(sock)


def read_answer(sock: socket.socket) -> bytes:
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            return data
        if not chunk:
            return data
        data += chunk
        head, sep, rest = data.partition(b"\r\n\r\n")
        found = re.search(rb"(?i)content-length: *(\d+)", head)
        if sep and found and len(rest) >= int(found.group(1)):
            return data
