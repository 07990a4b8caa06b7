"""The ``dir`` source: a folder (inbox) of order files, JSON or XML, canonical or a known source format.

Files are read in name order (``*.json``, ``*.xml``, ``*.ndjson`` with one
order per line). With ``move_processed``, a file goes to ``done/`` once its
orders are recorded, or to ``failed/`` when it cannot be read; the store
then carries unsent orders over to later runs.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from flowkit.config import Config
from flowkit.errors import ConfigError, FlowkitError, InputError
from flowkit.sources.base import Fetched, Query
from flowkit.sources.mapping import Mapping, MapsOrders, apply_mapping, resolve

SUFFIXES = (".json", ".xml", ".ndjson")


@dataclass
class DirSource(MapsOrders):
    name: str
    path: Path
    mapping: Mapping
    move_processed: bool = False
    carry_over: bool = False
    pattern: str = "*"

    @classmethod
    def from_spec(cls, name: str, spec: dict[str, Any], config: Config, where: str) -> DirSource:
        if "path" not in spec:
            raise ConfigError(f"{where}: sources.{name} (dir) needs 'path'")
        path = config.resolve_path(str(spec["path"]))
        if not path.is_dir():
            raise ConfigError(f"{where}: sources.{name}.path {path} is not a folder")
        move = bool(spec.get("move_processed", False))
        mapping = resolve(str(spec.get("mapping", "auto")), base_dir=config.base_dir, where=where)
        return cls(name, path, mapping, move, bool(spec.get("carry_over", move)), str(spec.get("pattern", "*")))

    def files(self) -> list[str]:
        """Paths of the order files, in name order (plain strings: cheap for large folders)."""
        with os.scandir(self.path) as entries:
            names = sorted(
                e.name
                for e in entries
                if e.name.endswith(SUFFIXES)
                and not e.name.startswith(".")
                and fnmatch.fnmatchcase(e.name, self.pattern)
                and e.is_file()
            )
        folder = str(self.path)
        return [os.path.join(folder, n) for n in names]

    def fetch(self, query: Query) -> Iterator[Fetched]:
        for path in self.files():
            if path.endswith(".ndjson"):
                yield from self._lines(path)
            else:
                yield self._file(path)

    def _file(self, path: str) -> Fetched:
        """The one order of a JSON or XML file (the file read once)."""
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            return _unreadable(path, exc)
        return self._one(path, path, data, last=True)

    def _lines(self, path: str) -> Iterator[Fetched]:
        """The orders of an NDJSON file, one per non-blank line, read as they are wanted (memory stays flat
        for a catalogue of a million products); the last of them says the file is done."""
        try:
            handle = open(path, "rb")  # noqa: SIM115 - held open while the generator runs
        except OSError as exc:
            yield _unreadable(path, exc)
            return
        with handle:
            numbered = ((n, line) for n, line in enumerate(handle, 1) if line.strip())
            ahead = next(numbered, None)
            while ahead is not None:
                lineno, line = ahead
                ahead = next(numbered, None)
                yield self._one(path, f"{path}:{lineno}", line, last=ahead is None)

    def _one(self, path: str, where: str, data: bytes, *, last: bool) -> Fetched:
        extra = {"path": path, "last": last}
        try:
            first = data[:1]
            if first.isspace():
                first = data.lstrip()[:1]
            if path.endswith(".xml") or first == b"<":
                from flowkit.sources import xmldoc

                doc = xmldoc.parse(data, where)
            else:
                try:
                    doc = orjson.loads(data)
                except orjson.JSONDecodeError as exc:
                    at = f"{where}:{exc.colno}" if path.endswith(".ndjson") else f"{where}:{exc.lineno}:{exc.colno}"
                    raise InputError(f"{at}: invalid JSON: {exc.msg}") from exc
            if not isinstance(doc, dict):
                raise InputError(f"{where}: an order file must hold a JSON object or XML element")
            order = apply_mapping(self.mapping, doc, where, self.check, self.what)
        except FlowkitError as exc:
            if not str(exc.format_message()).startswith(where.split(":")[0]):
                exc = InputError(f"{where}: {exc.format_message()}")
            return Fetched(where, error=exc, key=_stem(path), extra=extra)
        return Fetched(where, order=order, key=order[self.key_field], extra=extra)

    def done(self, item: Fetched, ok: bool) -> None:
        """Move the file to done/ (or failed/) once its last order is handled."""
        path = item.extra.get("path")
        if not self.move_processed or not isinstance(path, str) or not item.extra.get("last"):
            return
        target = os.path.join(os.path.dirname(path), "done" if ok else "failed")
        os.makedirs(target, exist_ok=True)
        if os.path.exists(path):
            os.replace(path, os.path.join(target, os.path.basename(path)))

    def mark_sent(self, order: dict[str, Any]) -> str | None:
        return None

    def close(self) -> None:
        return None


def _unreadable(path: str, exc: OSError) -> Fetched:
    return Fetched(path, error=InputError(f"{path}: cannot read: {exc.strerror}"), key=_stem(path), extra={"path": path})


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]
