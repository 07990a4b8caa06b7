"""Hotfolder transport: atomic writes into a local folder a consumer watches.

Each file is written as ``.NAME.part`` in the target folder, fsynced, then
renamed into place, so a consumer never sees a partial file. Names are
confined to the folder (path jail).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flowkit.config import Config
from flowkit.errors import ConfigError, ExitCode, RecordError
from flowkit.records import Record
from flowkit.transports.base import Receipt


class Hotfolder:
    """Write files atomically under ``root``."""

    def __init__(self, root: Path, *, allow_empty: bool = False) -> None:
        self.root = root
        self.allow_empty = allow_empty

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], config: Config) -> Hotfolder:
        if "path" in spec:
            root = config.resolve_path(str(spec["path"]))
        elif "url" in spec:
            root = Path(unquote(urlsplit(str(spec["url"])).path))
        else:
            raise ConfigError(f"destination {spec.get('name')!r}: a hotfolder needs 'path' or a file:// url")
        return cls(root, allow_empty=bool(spec.get("allow_empty", False)))

    def open(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecordError(f"hotfolder {self.root}: {exc.strerror}", code=ExitCode.UNAVAILABLE) from exc

    def target(self, name: str) -> Path:
        """The path for ``name``, refusing anything that escapes the folder."""
        path = (self.root / name).resolve()
        root = self.root.resolve()
        if path == root or root not in path.parents:
            raise RecordError(f"file name {name!r} escapes the hotfolder", code=ExitCode.DATAERR)
        return path

    def put(self, name: str, data: bytes, record: Record) -> Receipt:
        if not data and not self.allow_empty:
            raise RecordError("refusing to deliver an empty (zero-byte) body", code=ExitCode.DATAERR)
        path = self.target(name)
        tmp = path.with_name(f".{path.name}.part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            if os.path.getsize(tmp) != len(data):
                raise RecordError(f"{tmp}: size check failed", code=ExitCode.TEMPFAIL)
            os.replace(tmp, path)
        except OSError as exc:
            raise RecordError(f"hotfolder write {path}: {exc.strerror}", code=ExitCode.TEMPFAIL) from exc
        return Receipt(str(path), {"size": len(data)})

    def exists(self, name: str, size: int) -> bool | None:
        path = self.target(name)
        return path.is_file() and path.stat().st_size == size

    def close(self) -> None:
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
