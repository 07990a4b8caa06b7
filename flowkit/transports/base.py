"""The one small interface every transport implements, and the helpers they share.

A transport is opened once per batch, ``put`` once per record, then closed.
``put`` returns a ``Receipt`` only once the destination confirmed (rename
done, HTTP 2xx, SMTP 250); otherwise it raises ``RecordError`` with code 75
(transient: timeout, 5xx, 429), 69 (refused: auth, host key) or 65 (bad data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from flowkit.errors import ConfigError, ExitCode, RecordError, TempFailError
from flowkit.records import Record


@dataclass(frozen=True)
class Receipt:
    """What the destination confirmed: a remote reference (path, HTTP status, message id)."""

    remote_ref: str
    detail: dict[str, Any] = field(default_factory=dict)


class Transport(Protocol):
    """Open once per batch, put one record at a time, close."""

    def open(self) -> None: ...

    def put(self, name: str, data: bytes, record: Record) -> Receipt: ...

    def exists(self, name: str, size: int, record: Record | None = None) -> bool | None:
        """Whether ``name`` is already there with ``size`` bytes (None: cannot tell).

        ``record`` lets a destination look the record up by key (HTTP exists-check).
        """
        ...

    def close(self) -> None: ...


SCHEMES = {
    "file": "hotfolder",
    "sftp": "sftp",
    "ftp": "ftp",
    "ftps": "ftps",
    "http": "http",
    "https": "http",
    "smtp": "email",
    "smtps": "email",
    "mailto": "email",
}


def from_url(url: str) -> dict[str, Any]:
    """The table a destination URL stands for (``type`` from the scheme)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    parts = urlsplit(url)
    kind = SCHEMES.get(parts.scheme)
    if kind is None:
        raise ConfigError(f"destination {url_name(url)!r}: unknown scheme {parts.scheme!r} (known: {', '.join(sorted(SCHEMES))})")
    spec: dict[str, Any] = {"type": kind, "url": url, "scheme": parts.scheme}
    if kind == "http":
        return spec
    spec.update({k: v for k, v in parse_qsl(parts.query)})
    if kind == "hotfolder":
        spec["path"] = unquote(parts.path)
        return spec
    if parts.hostname:
        spec["host"] = parts.hostname
    if parts.port:
        spec["port"] = parts.port
    if parts.username:
        spec["username"] = unquote(parts.username)
    if parts.password:
        spec["password"] = unquote(parts.password)
    if kind in ("sftp", "ftp", "ftps"):
        spec["path"] = unquote(parts.path) or "/"
    if parts.scheme == "smtps":
        spec.setdefault("tls", "ssl")
    return spec


def url_name(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if parts.port:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}{parts.path}"


def option(spec: Mapping[str, Any], key: str, default: Any, kind: type | tuple[type, ...] | None = None) -> Any:
    """A destination option with its default (URL query strings coerced); ConfigError on a wrong type."""
    value = spec.get(key, default)
    if isinstance(value, str) and kind in (int, float, bool, (int, float)):
        value = _coerce(spec, key, value, kind)
    if kind is not None and value is not None and not isinstance(value, kind):
        raise ConfigError(f"destination {spec.get('name')!r}: option {key!r} has the wrong type")
    return value


def _coerce(spec: Mapping[str, Any], key: str, value: str, kind: Any) -> Any:
    try:
        if kind is bool:
            return value.lower() in ("1", "true", "yes", "on")
        if kind is int:
            return int(value)
        return float(value)
    except ValueError:
        raise ConfigError(f"destination {spec.get('name')!r}: option {key!r} must be a number") from None


def secret(spec: Mapping[str, Any], key: str) -> str | None:
    """A secret option (``${ENV}`` or ``file:PATH`` reference resolved now), or None."""
    from flowkit.config import resolve_secret

    value = spec.get(key)
    if value is None:
        return None
    return str(resolve_secret(value, where=f"destination {spec.get('name')!r} option {key!r}"))


class Transient(RecordError):
    """A temporary failure: retry later (``retry_after`` seconds when the destination said so)."""

    def __init__(self, message: str, *, retry_after: float | None = None, hint: str | None = None) -> None:
        super().__init__(message, code=ExitCode.TEMPFAIL, hint=hint)
        self.retry_after = retry_after


class OutcomeUnknown(Transient):
    """The request went out but no answer came back: it may or may not have arrived."""


class Stopped(TempFailError):
    """The destination can take nothing more now (disk full, quota exceeded): the batch stops (exit 75).

    Raised by ``put``, or by ``put_many`` with ``results``: the outcomes of the
    items before the one that met the condition, in order. That item was tried
    and failed; the items after it were never tried.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.results: list[Receipt | RecordError] = []


def remote_path(root: str, name: str) -> str:
    """``name`` under the remote folder ``root`` (FTP, SFTP), refusing anything that escapes it."""
    import posixpath

    from flowkit.errors import ExitCode, RecordError

    path = posixpath.normpath(posixpath.join(root, name))
    base = posixpath.normpath(root)
    if path == base or not path.startswith(base.rstrip("/") + "/"):
        raise RecordError(f"file name {name!r} escapes the destination folder", code=ExitCode.DATAERR)
    return path
