"""FTP and FTPS transport (ftplib): passive mode, temp name, size check, rename, one connection.

``ftps://`` (or ``tls = true``) uses explicit TLS with a protected data channel
(``PROT P``) whose TLS session is reused from the control channel, which
vsftpd and other hardened servers require. The certificate is verified
(``ca_file`` for a private CA). Each file goes to ``.NAME.part``, its size is
checked with ``SIZE``, then it is renamed into place; with ``conflict =
"replace"`` an existing target is removed first when the server refuses to
rename over it.
"""

from __future__ import annotations

import ftplib
import posixpath
import socket
import ssl
from collections.abc import Mapping
from typing import Any

from flowkit.config import Config
from flowkit.errors import ConfigError, ExitCode, RecordError, TempFailError, UnavailableError
from flowkit.reasons import words
from flowkit.records import Record
from flowkit.transports import names
from flowkit.transports.base import OutcomeUnknown, Receipt, Transient, option, remote_path, secret


class ReusingFTP_TLS(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's TLS session."""

    def ntransfercmd(self, cmd: str, rest: int | str | None = None) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:  # type: ignore[attr-defined]
            session = self.sock.session  # type: ignore[union-attr]
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=session)
        return conn, size


class Ftp:
    """Upload files atomically over one FTP or FTPS connection."""

    resend_unknown = True

    def __init__(self, spec: Mapping[str, Any], config: Config) -> None:
        self.name = str(spec.get("name"))
        self.host = str(spec.get("host") or "")
        if not self.host:
            raise ConfigError(f"destination {self.name!r}: ftp needs 'host' (or an ftp:// url)")
        self.tls = spec.get("type") == "ftps" or bool(option(spec, "tls", False, bool))
        self.port = int(option(spec, "port", 21, int))
        self.username = str(option(spec, "username", "anonymous", str))
        self.password = secret(spec, "password") or ""
        self.root = str(option(spec, "path", "/", str)) or "/"
        self.timeout = float(option(spec, "timeout", 30, (int, float)))
        self.conflict = str(option(spec, "conflict", "replace", str))
        if self.conflict not in ("replace", "ignore", "fail"):
            raise ConfigError(f"destination {self.name!r}: conflict must be replace, ignore or fail")
        self.allow_empty = bool(option(spec, "allow_empty", False, bool))
        self.done_suffix = option(spec, "done_suffix", None, str)
        ca_file = option(spec, "ca_file", None, str)
        self.ca_file = str(config.resolve_path(ca_file)) if ca_file else None
        self.verify = bool(option(spec, "verify", True, bool))
        self.ftp: ftplib.FTP | None = None
        self.made: set[str] = set()

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], config: Config) -> Ftp:
        return cls(spec, config)

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_file)
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def open(self) -> None:
        ftp: ftplib.FTP = (
            ReusingFTP_TLS(context=self._context(), timeout=self.timeout) if self.tls else ftplib.FTP(timeout=self.timeout)
        )
        where = f"{self.host}:{self.port}"
        try:
            ftp.connect(self.host, self.port)
            if isinstance(ftp, ftplib.FTP_TLS):
                ftp.auth()
            ftp.login(self.username, self.password)
            if isinstance(ftp, ftplib.FTP_TLS):
                ftp.prot_p()
            ftp.set_pasv(True)
            ftp.voidcmd("TYPE I")
        except ssl.SSLCertVerificationError as exc:
            ftp.close()
            raise UnavailableError(
                f"ftps {where}: TLS certificate not trusted: {exc.verify_message}", hint="set ca_file for a private CA"
            ) from exc
        except ftplib.error_perm as exc:
            ftp.close()
            raise UnavailableError(f"ftp {self.username}@{where}: refused: {exc}", hint="check username and password") from exc
        except (OSError, EOFError, ftplib.Error) as exc:
            ftp.close()
            raise TempFailError(f"ftp {where}: cannot connect: {words(exc, self.timeout) or exc}", hint="rerun later") from exc
        self.ftp = ftp

    def _path(self, name: str) -> str:
        """The remote path of ``name``, sanitised (``names.path``) and jailed in the remote folder."""
        return remote_path(self.root, names.path(name))

    def _session(self) -> ftplib.FTP:
        if self.ftp is None:
            self.open()
        assert self.ftp is not None
        return self.ftp

    def put(self, name: str, data: bytes, record: Record) -> Receipt:
        if not data and not self.allow_empty:
            raise RecordError("refusing to deliver an empty (zero-byte) body", code=ExitCode.DATAERR)
        import io

        path = self._path(name)
        folder, base = posixpath.split(path)
        tmp = posixpath.join(folder, f".{base}.part")
        ftp = self._session()
        renamed = False
        try:
            self._mkdirs(ftp, folder)
            ftp.storbinary(f"STOR {tmp}", io.BytesIO(data))
            size = ftp.size(tmp)
            if size != len(data):
                raise Transient(f"ftp {tmp}: size check failed ({size} of {len(data)} bytes)")
            renamed = True
            self._rename(ftp, tmp, path)
            if self.done_suffix:
                ftp.storbinary(f"STOR {path}{self.done_suffix}", io.BytesIO(b""))
        except ftplib.error_perm as exc:
            raise RecordError(f"ftp {path}: refused: {exc}", code=ExitCode.DATAERR) from exc
        except (OSError, EOFError, ftplib.Error) as exc:
            self._drop()
            raise (OutcomeUnknown if renamed else Transient)(f"ftp {path}: {exc}") from exc
        return Receipt(path, {"size": len(data)})

    def _rename(self, ftp: ftplib.FTP, tmp: str, path: str) -> None:
        if self.conflict != "replace" and self._size(ftp, path) is not None:
            ftp.delete(tmp)
            if self.conflict == "ignore":
                return
            raise RecordError(f"{path} already exists (conflict = {self.conflict})", code=ExitCode.DATAERR)
        try:
            ftp.rename(tmp, path)
        except ftplib.error_perm:
            if self.conflict != "replace" or self._size(ftp, path) is None:
                raise
            ftp.delete(path)  # documented fallback: servers that refuse to rename over a file
            ftp.rename(tmp, path)

    def _size(self, ftp: ftplib.FTP, path: str) -> int | None:
        try:
            return ftp.size(path)
        except ftplib.error_perm:
            return None

    def _mkdirs(self, ftp: ftplib.FTP, folder: str) -> None:
        if folder in self.made or folder in ("/", ""):
            return
        self._mkdirs(ftp, posixpath.dirname(folder))
        try:
            ftp.mkd(folder)
        except ftplib.error_perm:
            pass  # exists already (or the upload will say why not)
        self.made.add(folder)

    def exists(self, name: str, size: int, record: Record | None = None) -> bool | None:
        try:
            return self._size(self._session(), self._path(name)) == size
        except (OSError, EOFError, ftplib.Error):
            self._drop()
            return None

    def probe(self, name: str) -> str:
        """Connect, then store ``name`` (a dot file) in the remote folder, check its size and delete it.

        ``flowkit check`` calls this; the folder is made as the first delivery would make it.
        """
        import io

        ftp = self._session()
        path = posixpath.join(self.root, name)
        data = b"flowkit check\n"
        try:
            self._mkdirs(ftp, self.root)
            ftp.storbinary(f"STOR {path}", io.BytesIO(data))
            try:
                size = self._size(ftp, path)
            finally:
                ftp.delete(path)
        except ftplib.error_perm as exc:
            raise UnavailableError(f"ftp {path}: refused: {exc}", hint="the user may not write in that folder") from exc
        except (OSError, EOFError, ftplib.Error) as exc:
            raise TempFailError(f"ftp {path}: {exc}") from exc
        if size is not None and size != len(data):
            raise TempFailError(f"ftp {path}: size check failed ({size} of {len(data)} bytes)")
        return f"wrote and removed {name}"

    def _drop(self) -> None:
        if self.ftp is not None:
            try:
                self.ftp.close()
            finally:
                self.ftp = None

    def close(self) -> None:
        if self.ftp is not None:
            try:
                self.ftp.quit()
            except (OSError, EOFError, ftplib.Error):
                pass
            self._drop()
