"""Order sources for ``query-orders``: a folder, a paginated HTTP API, the state store.

A source yields ``Fetched`` items (a canonical order, or the error that kept
one document from becoming one) for a ``Query``; ``done`` tells it how each
went (a folder moves the file), ``mark_sent`` tells the source system an
order was exported (Omnitron's ``is_send``), ``close`` ends the batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from flowkit.config import Config
from flowkit.errors import ConfigError, FlowkitError

SOURCE_TYPES = ("dir", "http", "store")


@dataclass(frozen=True)
class Query:
    """What the caller wants; sources may push these to the server, the core checks them again."""

    number: str | None = None
    channels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: str | None = None
    unsent: bool = False
    limit: int | None = None


@dataclass
class Fetched:
    """One document from a source: its canonical order, or the error that stopped it."""

    where: str
    order: dict[str, Any] | None = None
    error: FlowkitError | None = None
    key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Source(Protocol):
    name: str
    carry_over: bool

    def fetch(self, query: Query) -> Iterator[Fetched]: ...

    def done(self, item: Fetched, ok: bool) -> None: ...

    def mark_sent(self, order: dict[str, Any]) -> str | None: ...

    def close(self) -> None: ...


def open_source(config: Config, name: str, *, store: Any = None) -> Source:
    """The source named ``[sources.NAME]``, or a folder path given on the command line."""
    if name not in config.section("sources") and ("/" in name or Path(name).is_dir()):
        spec: dict[str, Any] = {"type": "dir", "path": str(Path(name).resolve())}
    else:
        spec = config.named("sources", name)
    kind = spec.get("type", "http" if "url" in spec or "base_url" in spec else None)
    where = config.where("sources", name)
    if kind == "dir":
        from flowkit.sources.dirsource import DirSource

        return DirSource.from_spec(name, spec, config, where)
    if kind == "http":
        from flowkit.sources.httpsource import HttpSource

        return HttpSource.from_spec(name, spec, config, where)
    if kind == "store":
        from flowkit.sources.storesource import StoreSource

        if store is None:
            raise ConfigError(f"{where}: a store source needs the state store")
        return StoreSource.from_spec(name, spec, store, where)
    raise ConfigError(f"{where}: sources.{name}.type must be one of {', '.join(SOURCE_TYPES)}")
