"""The one small interface every transport implements, and the factory.

A transport is opened once per batch, ``put`` once per record, then closed.
``put`` returns a ``Receipt`` only once the destination confirmed (rename
done, HTTP 2xx, SMTP 250); otherwise it raises ``RecordError`` with code 75
(transient: timeout, 5xx, 429), 69 (refused: auth, host key) or 65 (bad data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from flowkit.config import Config
from flowkit.errors import ConfigError
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

    def exists(self, name: str, size: int) -> bool | None:
        """Whether ``name`` is already there with ``size`` bytes (None: cannot tell)."""
        ...

    def close(self) -> None: ...


def destination(config: Config, target: str) -> dict[str, Any]:
    """A destination table: ``[destinations.NAME]`` or a URL (``file:///dir/``)."""
    if "://" in target:
        from urllib.parse import urlsplit

        scheme = urlsplit(target).scheme
        kind = {"file": "hotfolder"}.get(scheme, scheme)
        return {"type": kind, "url": target, "name": re.sub(r"[^A-Za-z0-9_.-]+", "_", target)}
    spec = config.named("destinations", target)
    spec.setdefault("name", target)
    if "type" not in spec and "url" in spec:
        from urllib.parse import urlsplit

        scheme = urlsplit(str(spec["url"])).scheme
        spec["type"] = {"file": "hotfolder"}.get(scheme, scheme)
    return spec


def open_transport(spec: Mapping[str, Any], config: Config) -> Transport:
    """Build (not yet open) the transport for a destination table."""
    kind = spec.get("type")
    if kind == "hotfolder":
        from flowkit.transports.hotfolder import Hotfolder

        return Hotfolder.from_spec(spec, config)
    raise ConfigError(f"{config.where('destinations', str(spec.get('name')))}: unknown destination type {kind!r}")
