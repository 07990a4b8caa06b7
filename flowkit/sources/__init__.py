"""Order sources for ``query-orders``: a folder, a paginated HTTP API, the state store.

A source yields ``Fetched`` items (a canonical order, or the error that kept
one document from becoming one) for a ``Query``; ``done`` tells it how each
went (a folder moves the file), ``mark_sent`` tells the source system an
order was exported (Omnitron's ``is_send``), ``close`` ends the batch.
"""

from __future__ import annotations

from typing import Any

from flowkit.config import Config
from flowkit.errors import ConfigError
from flowkit.sources.base import Fetched, Query, Source, source_spec

__all__ = ["SOURCE_TYPES", "Fetched", "Query", "Source", "open_source"]

SOURCE_TYPES = ("dir", "http", "store")


def open_source(config: Config, name: str, *, store: Any = None) -> Source:
    """The source named ``[sources.NAME]``, or a folder path given on the command line."""
    spec = source_spec(config, name)
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
