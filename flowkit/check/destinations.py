"""Checking a destination: build its transport as deliver does, connect, and probe without leaving a trace.

Hotfolder, SFTP, FTP/FTPS: a dot file (``.flowkit-check-XXXXXXXX``) is
written in the destination folder and removed (the folder is made first,
as the first delivery would make it). HTTP: a request that creates nothing
(``Http.probe``). Email: NOOP and RSET in an authenticated session
(``Email.probe``); no mail is sent.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from typing import Any

from flowkit.check.model import Target, probe_name
from flowkit.config import Config
from flowkit.errors import FlowkitError, TempFailError, UnavailableError
from flowkit.secrets import redact_text

PROBE = b"flowkit check: this file is removed at once\n"
FULL = (errno.ENOSPC, errno.EDQUOT)


def target(config: Config, name: str, *, timeout: float | None = None) -> Target:
    """The destination ``name`` (a ``[destinations.NAME]`` table or a URL) as a check target."""
    from flowkit.transports import destination, open_transport
    from flowkit.transports.base import url_name

    label = url_name(name) if "://" in name else name  # a URL is named without its password or query
    spec: dict[str, Any] = {}
    transport: Any = None
    try:
        spec = destination(config, name)
        if timeout is not None:
            spec.update(timeout=timeout, connect_timeout=timeout)
        transport = open_transport(spec, config)
    except FlowkitError as exc:
        return Target(label, "destination", str(spec.get("type", "-")), _where_of_spec(spec, config), error=exc)
    kind = str(spec.get("type"))
    found = Target(label, "destination", kind, where(transport, kind), close=transport.close)
    found.timeout = float(getattr(transport, "connect_timeout", getattr(transport, "timeout", 0)) or 0) or None
    if kind == "hotfolder":
        found.probe = lambda: hotfolder_probe(transport)
    elif kind == "email":
        found.probe = transport.probe
    elif kind == "http":  # the exists-check's key: no dot, URLs are not file names
        found.probe = lambda: str(transport.probe(probe_name().lstrip(".")))
    else:  # sftp, ftp, ftps
        found.probe = lambda: str(transport.probe(probe_name()))
    return found


def where(transport: Any, kind: str) -> str:
    """The destination as a URL without its password: what the check line names."""
    if kind == "hotfolder":
        return f"file://{os.path.abspath(transport.root)}/"
    if kind == "http":
        return redact_text(str(transport.url))
    if kind == "email":
        scheme = "smtps" if transport.tls == "ssl" else "smtp"
        user = f"{transport.username}@" if transport.username else ""
        return f"{scheme}://{user}{transport.host}:{transport.port}"
    scheme = "sftp" if kind == "sftp" else ("ftps" if transport.tls else "ftp")
    root = transport.root if str(transport.root).endswith("/") else f"{transport.root}/"
    return f"{scheme}://{transport.username}@{transport.host}:{transport.port}{root}"


def _where_of_spec(spec: Mapping[str, Any], config: Config) -> str:
    """Best effort for a destination whose transport could not be built."""
    from flowkit.transports.base import url_name

    if spec.get("url"):
        return redact_text(url_name(str(spec["url"])))
    if spec.get("type") == "hotfolder" and spec.get("path"):
        return f"file://{os.path.abspath(config.resolve_path(str(spec['path'])))}/"
    return str(spec.get("host") or "-")


def hotfolder_probe(transport: Any) -> str:
    """Make the folder as deliver does, then write, fsync and remove a dot file in it."""
    transport.open()  # mkdir -p, refusing (69) when it cannot
    name = probe_name()
    path = os.path.join(transport.root, name)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(PROBE)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(path)
    except OSError as exc:
        what = f"hotfolder {transport.root}: cannot write {name}: {exc.strerror}"
        if exc.errno in FULL:
            raise TempFailError(what, hint="free space on that file system") from exc
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise UnavailableError(what, hint="deliver needs to write in that folder") from exc
        raise TempFailError(what) from exc
    return f"wrote and removed {name}"
