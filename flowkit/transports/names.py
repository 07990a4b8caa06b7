"""File names for deliveries: templates over key, meta and format, sanitised in one place.

A template such as ``{key}.xml`` or ``{meta.channel}/{key}.{ext}`` may use
``key``, ``kind``, ``ext``, ``format``, ``hash`` (12 hex digits of the
content sha256), ``date`` (UTC ``YYYYMMDD``) and ``meta.NAME``.

Every name a transport writes goes through ``path`` (and each template value
through ``component``), whatever it came from (template output, a record's
``meta.filename``, a name kept in the ledger by an older run): control
characters (NUL, C0/C1, DEL, line and bidi controls) are removed, ``/ \\ : * ?
" < > |`` inside a value become ``_``, a component loses its leading dots and
surrounding spaces (so never ``.``/``..`` nor hidden), a value that had to change
carries a short hash of what it was (so two values never clean to one name), and a component longer
than ``MAX_COMPONENT`` bytes of UTF-8 is cut with a hash of the whole
component, so distinct long names stay distinct. The result is relative and
never climbs out of the destination; a name that is still impossible (longer
than ``MAX_NAME`` bytes in all, or empty) is a data error (65) for its record.
``path`` is idempotent: a sanitised name is left as it is.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flowkit.errors import ExitCode, RecordError
from flowkit.records import Record

MAX_COMPONENT = 200  # bytes of UTF-8 per folder or file name: ".NAME.part" and a done suffix still fit in 255
MAX_NAME = 1024  # bytes of UTF-8 for the whole relative name
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")
# removed: C0 and C1 controls, DEL, bidi marks/embeddings/isolates, line/paragraph separators, lone surrogates
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]+")
_SEPARATORS = re.compile(r'[/\\:*?"<>|]+')
_HASHED_EXT = 16  # longest extension kept after a cut (".xml" survives, a long tail after a dot does not)
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
        return component(fmt)
    media = str(record.get("type", "")).split(";")[0].strip()
    if media.endswith("+json"):
        return "json"
    if media.endswith("+xml"):
        return "xml"
    return EXTENSIONS.get(media, "dat")


def component(value: str) -> str:
    """One safe path component from any value: never empty, ``.``/``..`` or hidden, at most ``MAX_COMPONENT`` bytes.

    A value that had to change carries a short hash of what it was (``ORD/1`` -> ``ORD_1~1a2b3c4d``),
    so two values that clean to the same text (``ORD/1``, ``ORD:1``, ``ORD_1``) never share a file.
    """
    text = _SEPARATORS.sub("_", _CONTROL.sub("", value)).lstrip(". ").rstrip() or "_"
    if text != value:
        text = _tagged(text, "~" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8])
    raw = text.encode("utf-8")
    if len(raw) <= MAX_COMPONENT:
        return text
    stem, dot, ext = text.rpartition(".")
    suffix = f".{ext}" if dot and stem and len(ext.encode("utf-8")) <= _HASHED_EXT and ext.strip() == ext else ""
    tag = "~" + hashlib.sha256(raw).hexdigest()[:12]
    room = MAX_COMPONENT - len(tag) - len(suffix.encode("utf-8"))
    head = text[: len(text) - len(suffix)].encode("utf-8")[:room].decode("utf-8", "ignore").rstrip()
    return head + tag + suffix


def _tagged(text: str, tag: str) -> str:
    """``text`` with ``tag`` before its extension (``bc.xml`` -> ``bc~tag.xml``), or at its end."""
    stem, dot, ext = text.rpartition(".")
    if dot and stem and 0 < len(ext) <= _HASHED_EXT and ext.isalnum():
        return f"{stem}{tag}.{ext}"
    return text + tag


def path(name: str) -> str:
    """A safe relative name from any name: each ``/``- or ``\\``-separated part made a ``component``.

    RecordError (65) when nothing is left or the result is longer than ``MAX_NAME`` bytes.
    """
    parts = [component(p) for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts:
        raise RecordError(f"file name {_shown(name)} is empty once sanitised", code=ExitCode.DATAERR)
    safe = "/".join(parts)
    if len(safe.encode("utf-8")) > MAX_NAME:
        raise RecordError(
            f"file name {_shown(name)} is too long: {len(safe.encode('utf-8'))} bytes once sanitised (at most {MAX_NAME})",
            code=ExitCode.DATAERR,
        )
    return safe


def _shown(name: str) -> str:
    """A name as an error message shows it: control characters escaped, long names shortened."""
    text = repr(name)
    return text if len(text) <= 80 else f"{text[:60]}…{text[-12:]} ({len(name)} characters)"


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
    """The template's pieces (literal, field, literal, …) and whether it always gives one plain component.

    Values are ``component``s already, so a template whose literals hold no
    separator or control character, and which neither starts with a dot or
    space nor ends with a space, gives a name ``path`` would leave as it is,
    provided it is short enough (checked per name).
    """
    pieces = tuple(_FIELD.split(template))
    literals = pieces[::2]
    plain = (
        bool(template)
        and not any(_SEPARATORS.search(lit) or _CONTROL.search(lit) for lit in literals)
        and template[0] != "."
        and not template[0].isspace()
        and not template[-1].isspace()
    )
    return pieces, plain


def render(template: str, record: Record, content_hash: str = "") -> str:
    """The relative file name ``template`` gives for ``record``, sanitised (see ``path``)."""
    pieces, plain = _compiled(template)
    text = pieces[0]
    for n in range(1, len(pieces), 2):
        text += component(_lookup(pieces[n], record, content_hash)) + pieces[n + 1]
    if plain and len(text.encode("utf-8")) <= MAX_COMPONENT:
        return text
    return path(text)


def choose(record: Record, template: str | None, content_hash: str = "") -> str:
    """The file name: the template when given, else ``meta.filename``, else ``{key}.{ext}``."""
    if template:
        return render(template, record, content_hash)
    given = (record.get("meta") or {}).get("filename")
    if isinstance(given, str) and _CONTROL.sub("", given).strip():
        return path(given.replace("{", "(").replace("}", ")"))
    return render(DEFAULT_TEMPLATE, record, content_hash)
