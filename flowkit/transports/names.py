"""File names for deliveries: templates over key, meta and format, sanitised.

A template such as ``{key}.xml`` or ``{meta.channel}/{key}.{ext}`` may use
``key``, ``kind``, ``ext``, ``format``, ``hash`` (12 hex digits of the
content sha256), ``date`` (UTC ``YYYYMMDD``) and ``meta.NAME``. Every value is
sanitised (no ``/``, ``\\``, control characters, leading dots or ``..``), so
only the template's own ``/`` make folders; the result is relative and never
climbs out of the destination.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flowkit.errors import ExitCode, RecordError
from flowkit.records import Record

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
EXTENSIONS = {
    "application/xml": "xml",
    "text/xml": "xml",
    "application/json": "json",
    "text/html": "html",
    "text/plain": "txt",
    "text/csv": "csv",
}
DEFAULT_TEMPLATE = "{key}.{ext}"


def extension(record: Record) -> str:
    """The file extension for a record: ``meta.format``, else from its media type."""
    fmt = (record.get("meta") or {}).get("format")
    if isinstance(fmt, str) and fmt:
        return clean(fmt)
    media = str(record.get("type", "")).split(";")[0].strip()
    if media.endswith("+json"):
        return "json"
    if media.endswith("+xml"):
        return "xml"
    return EXTENSIONS.get(media, "dat")


def clean(value: str) -> str:
    """One safe path segment from any value (never empty, never ``.``/``..``, no leading dot)."""
    text = _UNSAFE.sub("_", value).strip()
    text = text.lstrip(".") or "_"
    return text[:200]


def _lookup(field: str, record: Record, content_hash: str) -> str:
    meta = record.get("meta") or {}
    if field.startswith("meta."):
        value: Any = meta
        for part in field[5:].split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or isinstance(value, (dict, list)):
            raise RecordError(f"file name template: meta field {field[5:]!r} missing or not a scalar", code=ExitCode.DATAERR)
        return str(value)
    if field == "key":
        return str(record.get("key", ""))
    simple: dict[str, Callable[[], Any]] = {  # computed only for the field asked for
        "key": lambda: record.get("key", ""),
        "kind": lambda: record.get("kind", ""),
        "ext": lambda: extension(record),
        "format": lambda: meta.get("format") or extension(record),
        "hash": lambda: content_hash.split(":")[-1][:12],
        "date": lambda: time.strftime("%Y%m%d", time.gmtime()),
    }
    if field not in simple:
        raise RecordError(
            f"file name template: unknown field {{{field}}} (known: {', '.join(simple)}, meta.NAME)",
            code=ExitCode.DATAERR,
        )
    return str(simple[field]())


@lru_cache(maxsize=64)
def _compiled(template: str) -> tuple[tuple[str, ...], bool]:
    """The template's pieces (literal, field, literal, …) and whether its literals make one plain segment.

    Values are cleaned (no separators, no leading dot), so a template whose
    literals hold no separator and which does not start with a dot gives a
    name that needs no further sanitising.
    """
    pieces = tuple(_FIELD.split(template))
    literals = pieces[::2]
    plain = not any("/" in lit or "\\" in lit for lit in literals) and not template.startswith(".")
    return pieces, plain


def render(template: str, record: Record, content_hash: str = "") -> str:
    """The relative file name ``template`` gives for ``record``, sanitised."""
    pieces, plain = _compiled(template)
    text = pieces[0]
    for n in range(1, len(pieces), 2):
        text += clean(_lookup(pieces[n], record, content_hash)) + pieces[n + 1]
    if plain and text:
        return text
    parts = [p for p in text.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts:
        raise RecordError(f"file name template {template!r} gives an empty name", code=ExitCode.DATAERR)
    safe = [clean(p) if p == ".." or p.startswith(".") else p for p in parts]
    return "/".join(safe)


def choose(record: Record, template: str | None, content_hash: str = "") -> str:
    """The file name: the template when given, else ``meta.filename``, else ``{key}.{ext}``."""
    if template:
        return render(template, record, content_hash)
    given = (record.get("meta") or {}).get("filename")
    if isinstance(given, str) and given.strip():
        return render(given.replace("{", "(").replace("}", ")"), record, content_hash)
    return render(DEFAULT_TEMPLATE, record, content_hash)
