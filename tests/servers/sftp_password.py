"""An SFTP server with password login, on paramiko's server side (loopback, a folder as its disk).

OpenSSH's sshd checks passwords against the system's accounts, which a test
must not create; the key-based tests use the real sshd (``servers.sshd``).
This server serves one folder (paths outside it are refused), offers
posix-rename like OpenSSH, and accepts one user with one password.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko
from paramiko import SFTPAttributes, SFTPHandle, SFTPServer, SFTPServerInterface
from paramiko.sftp import SFTP_FAILURE, SFTP_NO_SUCH_FILE, SFTP_OK, SFTP_PERMISSION_DENIED

USER = "shop"
PASSWORD = "pw-for-tests-only"


def _errno(exc: OSError) -> int:
    return SFTPServer.convert_errno(exc.errno) if exc.errno else SFTP_FAILURE


class _Handle(SFTPHandle):
    def stat(self) -> SFTPAttributes | int:
        try:
            return SFTPAttributes.from_stat(os.fstat(self.writefile.fileno()))  # type: ignore[attr-defined]
        except OSError as exc:
            return _errno(exc)


class _Folder(SFTPServerInterface):
    """SFTP operations on the server's folder (``root`` is set per server)."""

    root: Path

    def _local(self, path: str) -> Path | None:
        local = (self.root / path.lstrip("/")).resolve()
        return local if local == self.root or self.root in local.parents else None

    def canonicalize(self, path: str) -> str:
        return "/" + os.path.normpath(path).lstrip("/") if path not in ("", ".") else "/"

    def stat(self, path: str) -> SFTPAttributes | int:
        local = self._local(path)
        if local is None:
            return SFTP_PERMISSION_DENIED
        try:
            return SFTPAttributes.from_stat(local.stat())
        except OSError as exc:
            return _errno(exc)

    lstat = stat

    def list_folder(self, path: str) -> list[SFTPAttributes] | int:
        local = self._local(path)
        if local is None:
            return SFTP_PERMISSION_DENIED
        try:
            return [SFTPAttributes.from_stat(entry.stat(), entry.name) for entry in local.iterdir()]
        except OSError as exc:
            return _errno(exc)

    def open(self, path: str, flags: int, attr: SFTPAttributes) -> SFTPHandle | int:
        local = self._local(path)
        if local is None:
            return SFTP_PERMISSION_DENIED
        try:
            fd = os.open(local, flags | getattr(os, "O_BINARY", 0), 0o644)
            mode = "wb" if flags & os.O_WRONLY else "r+b" if flags & os.O_RDWR else "rb"
            handle = _Handle(flags)
            stream = os.fdopen(fd, mode)
            handle.readfile = stream  # type: ignore[attr-defined]
            handle.writefile = stream  # type: ignore[attr-defined]
            return handle
        except OSError as exc:
            return _errno(exc)

    def remove(self, path: str) -> int:
        return self._do(os.remove, path)

    def mkdir(self, path: str, attr: SFTPAttributes) -> int:
        return self._do(os.mkdir, path)

    def rename(self, oldpath: str, newpath: str) -> int:
        new = self._local(newpath)
        if new is not None and new.exists():
            return SFTP_FAILURE  # plain SFTP rename never overwrites
        return self._two(os.rename, oldpath, newpath)

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return self._two(os.replace, oldpath, newpath)

    def chattr(self, path: str, attr: SFTPAttributes) -> int:
        return SFTP_OK

    def _do(self, action: Any, path: str) -> int:
        local = self._local(path)
        if local is None:
            return SFTP_PERMISSION_DENIED
        try:
            action(local)
        except FileNotFoundError:
            return SFTP_NO_SUCH_FILE
        except OSError as exc:
            return _errno(exc)
        return SFTP_OK

    def _two(self, action: Any, old: str, new: str) -> int:
        source, target = self._local(old), self._local(new)
        if source is None or target is None:
            return SFTP_PERMISSION_DENIED
        try:
            action(source, target)
        except OSError as exc:
            return _errno(exc)
        return SFTP_OK


class _Login(paramiko.ServerInterface):
    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = username == USER and password == PASSWORD
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


@dataclass
class PasswordSftp:
    """A running server: its port, folder and a known_hosts file that trusts its key."""

    port: int
    folder: Path
    known_hosts: Path
    sock: socket.socket
    transports: list[paramiko.Transport] = field(default_factory=list)

    def stop(self) -> None:
        self.sock.close()
        for transport in self.transports:
            transport.close()


def start(home: Path) -> PasswordSftp:
    folder = (home / "disk").resolve()
    folder.mkdir(parents=True)
    key = paramiko.ECDSAKey.generate()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port = int(sock.getsockname()[1])
    known = home / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {key.get_name()} {key.get_base64()}\n")
    server = PasswordSftp(port, folder, known, sock)
    disk = type("Disk", (_Folder,), {"root": folder})

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return  # stopped
            transport = paramiko.Transport(conn)
            transport.add_server_key(key)
            transport.set_subsystem_handler("sftp", SFTPServer, disk)
            server.transports.append(transport)
            try:
                transport.start_server(server=_Login())
            except (paramiko.SSHException, EOFError, OSError):
                transport.close()

    threading.Thread(target=serve, name="sftp-password", daemon=True).start()
    return server
