"""What every order source shares: the ``Query`` it answers, the ``Fetched`` items it yields, the ``Source`` interface.

``open_source`` (the package) builds a source; each source module imports
these from here, never from the package that imports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from flowkit.errors import ConfigError, FlowkitError

if TYPE_CHECKING:
    from flowkit.config import Config


def source_spec(config: Config, name: str) -> dict[str, Any]:
    """The table ``[sources.NAME]``, or a folder path given as ``--source`` read as a ``dir`` source.

    A path (it has a ``/``) that is no folder is named as such, not as a config table's ``path``.
    """
    if name in config.section("sources"):
        return config.named("sources", name)
    if Path(name).is_dir():
        return {"type": "dir", "path": str(Path(name).resolve())}
    if "/" in name:
        known = ", ".join(sorted(config.section("sources"))) or "none configured"
        what = "a file, not a folder of order or product files" if Path(name).exists() else "no such folder"
        raise ConfigError(f"--source {name}: {what} (and {config.where('sources')} has no [sources.{name}]; known: {known})")
    return config.named("sources", name)


@dataclass(frozen=True)
class Query:
    """What the caller wants; sources may push these to the server, the core checks them again."""

    number: str | None = None
    channels: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()  # ids or names; checked on the mapped order only
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
