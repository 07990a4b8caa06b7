"""Where a payload came from: the render and transform steps a record went through, carried in its meta.

- ``meta.rendered`` (render): ``{"format", "version"}`` plus ``options``, the
  render options that differ from the built-in defaults (``{"payment": true}``).
- ``meta.transform`` (transform): a list with one step per transform the
  record went through, oldest first: ``{"stylesheet"}`` (XSLT) or ``{"spec"}``
  (Jolt), the path as the user wrote it (see ``shown_path``), ``sha256`` of
  that file's bytes, and ``params``, the parameters it ran with (values of
  secret-looking names masked).

Each value is built once per run (per options, per stylesheet and parameter
set) and shared by the records it describes, so the per-record cost is a
dictionary entry. deliver keeps these keys with the delivery
(``store.provenance``) and ``flowkit state show`` prints them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flowkit import __version__

KEYS = ("rendered", "transform")  # the meta keys that say where a payload came from
CACHE_LIMIT = 4096  # distinct parameter sets remembered per run (params from meta may vary per record)


def rendered(options: Any) -> dict[str, Any]:
    """``meta.rendered`` for records rendered with ``options`` (a ``RenderOptions``)."""
    from dataclasses import fields

    changed = {}
    for item in fields(options):
        value = getattr(options, item.name)
        if item.name != "format" and value != item.default:
            changed[item.name] = list(value) if isinstance(value, tuple) else value
    out: dict[str, Any] = {"format": options.format, "version": __version__}
    if changed:
        out["options"] = changed
    return out


def shown_path(path: str | os.PathLike[str], base: Path | None) -> str:
    """A stylesheet's path as provenance shows it: never an absolute path when one can be avoided.

    A relative path stays as given (relative to the working directory). An
    absolute one (config paths are resolved against the config file's folder)
    is shown relative to the config file's folder when it lies under it, else
    relative to the working directory when it lies under that, else as it is.
    """
    text = os.fspath(path)
    if not os.path.isabs(text):
        return Path(text).as_posix()
    absolute = os.path.normpath(text)
    for root in (base, Path.cwd()):
        if root is None:
            continue
        top = os.path.normpath(os.path.abspath(root))
        if absolute.startswith(top.rstrip(os.sep) + os.sep):
            return Path(os.path.relpath(absolute, top)).as_posix()
    return absolute


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 (hex) of a file's bytes; empty when it cannot be read (the compile step reports that)."""
    import hashlib  # here: OpenSSL's start-up is ~4 ms that render, which hashes no stylesheet, need not pay

    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""


def safe_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as provenance keeps them: values of secret-looking names (``token``, ``password``...) masked."""
    from flowkit.secrets import redact

    value: dict[str, Any] = redact(dict(params))
    return value


class Steps:
    """Builds ``meta.transform`` steps, each distinct one once per run."""

    def __init__(self, base: Path | None = None) -> None:
        self.base = base
        self._steps: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._last: tuple[str, str, str, tuple[str, str] | None, Mapping[str, Any], dict[str, Any]] | None = None

    def step(
        self, kind: str, path: str, sha256: str, params: Mapping[str, Any], context: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """The step for file ``path`` (``kind`` "stylesheet" or "spec") run with ``params``.

        ``context``: a Jolt context file's (path, sha256), kept as ``context`` and ``context_sha256``
        (its values are not copied into every record).
        """
        last = self._last
        if last is not None and last[4] is params and last[:4] == (kind, path, sha256, context):
            return last[5]  # the run's fixed --param values: the same dict record after record
        key = (kind, path, sha256, context, *((k, v if isinstance(v, str) else repr(v)) for k, v in params.items()))
        found = self._steps.get(key)
        if found is None:
            if len(self._steps) >= CACHE_LIMIT:
                self._steps.clear()
            found = {kind: shown_path(path, self.base), "sha256": sha256, "params": safe_params(params)}
            if context is not None:
                found.update(context=shown_path(context[0], self.base), context_sha256=context[1])
            self._steps[key] = found
        self._last = (kind, path, sha256, context, params, found)
        return found

    @staticmethod
    def chained(meta: Mapping[str, Any], step: dict[str, Any]) -> list[dict[str, Any]]:
        """The record's ``meta.transform`` after ``step``: earlier steps kept (a name from an older flowkit is dropped)."""
        before = meta.get("transform")
        return [*before, step] if isinstance(before, list) else [step]


def of(meta: Mapping[str, Any]) -> dict[str, Any] | None:
    """The provenance keys of a record's meta, or None when it carries none."""
    found = {key: meta[key] for key in KEYS if meta.get(key) is not None}
    return found or None


def shown_rows(deliveries: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """``state show``'s provenance table: (destination, step, made with, sha256, params) per step of each delivery."""
    rows: list[tuple[str, str, str, str, str]] = []
    for item in deliveries:
        found = item.get("provenance") or {}
        where = str(item.get("destination") or "")
        made = found.get("rendered")
        if isinstance(made, Mapping):
            options = " ".join(f"{k}={_text(v)}" for k, v in (made.get("options") or {}).items())
            rows.append((where, "render", f"{made.get('format')} (flowkit {made.get('version')})", "", options))
        for step in found.get("transform") or []:
            if isinstance(step, Mapping):
                kind = "stylesheet" if "stylesheet" in step else "spec"
                params = " ".join(f"{k}={_text(v)}" for k, v in (step.get("params") or {}).items())
                params = f"context={step['context']} {params}".rstrip() if step.get("context") else params
                rows.append((where, f"transform ({kind})", str(step.get(kind) or ""), str(step.get("sha256") or ""), params))
    return rows


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):  # a --param-json object
        import json

        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)
