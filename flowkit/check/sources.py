"""Checking a source: list one page (HTTP API), read the folder and count its order files (dir), or open the store.

A ``dir`` source whose folder is missing is a config error (78), as for
query-orders; a folder that cannot be read is refused (69).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flowkit.check.model import Target
from flowkit.config import Config
from flowkit.errors import FlowkitError, UnavailableError
from flowkit.secrets import redact_text


def target(config: Config, name: str, *, store: Callable[[], Any], timeout: float | None = None) -> Target:
    """The source ``name`` (a ``[sources.NAME]`` table, or a folder path) as a check target."""
    from flowkit.sources import open_source

    spec = dict(config.section("sources").get(name) or {"type": "dir", "path": name})
    kind = str(spec.get("type", "http" if "url" in spec or "base_url" in spec else "-"))
    found = Target(name, "source", kind, where(config, spec, kind))
    try:
        if timeout is not None and kind == "http":
            config = _with_timeout(config, name, timeout)
        source: Any = open_source(config, name, store=store() if kind == "store" else None)
    except FlowkitError as exc:
        found.error = exc
        return found
    found.close = source.close
    if kind == "http":
        found.timeout = float(source.spec["timeout"])
        found.probe = source.probe
    elif kind == "dir":
        found.probe = lambda: dir_probe(source)
    else:
        found.probe = lambda: store_probe(source)
    return found


def where(config: Config, spec: dict[str, Any], kind: str) -> str:
    """The source as the check line names it (no secret)."""
    if kind == "dir" and spec.get("path"):
        return f"file://{os.path.abspath(config.resolve_path(str(spec['path'])))}/"
    if kind == "http":
        from flowkit.source_presets import effective

        merged = effective(spec)
        base = str(merged.get("base_url") or merged.get("url") or "")
        return redact_text(base.rstrip("/") + "/" + str(merged.get("list_path") or "").lstrip("/"))
    if kind == "store":
        return "state store"
    return "-"


def _with_timeout(config: Config, name: str, timeout: float) -> Config:
    """``config`` with ``[sources.NAME] timeout`` overridden (``check --timeout``)."""
    from dataclasses import replace

    sources = {**config.section("sources"), name: {**config.section("sources")[name], "timeout": timeout}}
    return replace(config, data={**config.data, "sources": sources})


def dir_probe(source: Any) -> str:
    """The folder is there and can be listed and read; how many order files wait in it."""
    path = source.path
    try:
        count = len(source.files())
    except OSError as exc:
        raise UnavailableError(f"dir {path}: cannot list the folder: {exc.strerror}") from exc
    if not os.access(path, os.R_OK | os.X_OK):
        raise UnavailableError(f"dir {path}: the folder cannot be read")
    if source.move_processed and not os.access(path, os.W_OK):
        raise UnavailableError(f"dir {path}: move_processed is on, but the folder cannot be written")
    return f"readable, {count} order file(s) waiting"


def store_probe(source: Any) -> str:
    """The state store opens; how many orders the source would carry over now."""
    from flowkit.store import exports

    numbers = exports.carry_over(source.store, None, source.statuses)
    return f"{len(numbers)} order(s) {', '.join(source.statuses)} in the state store"
