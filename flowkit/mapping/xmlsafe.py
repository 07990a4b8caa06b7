"""The secure-by-default XML parser and the read jail shared by XSLT and test mode.

Documents with a DOCTYPE are refused before parsing (this stops billion laughs,
quadratic blowup and XXE, file or network, with one clear message); the parser
itself also loads no DTD, resolves no entity and never uses the network, as a
second line. Size is limited by ``max_bytes`` (checked before parsing) and
nesting depth by libxml2's limit of 256 levels (``huge_tree`` stays off).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowkit.errors import ConfigError, InputError

if TYPE_CHECKING:
    from lxml import etree

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
_UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?I?B?)\s*$", re.IGNORECASE)
# What may precede the root element: XML declaration, PIs, comments, whitespace.
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


class AccessDenied(Exception):
    """A stylesheet tried to read outside its jail or over the network."""


def parse_size(value: Any, *, where: str = "max_document_size") -> int:
    """Bytes from ``123``, ``"64MB"`` or ``"1.5 GiB"``."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise ConfigError(f"{where}: not a size: use bytes or a number with KB/MB/GB/KiB/MiB/GiB")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def human_size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def check_size(size: int, max_bytes: int, where: str) -> None:
    """Refuse a document over the limit before anything reads it into memory."""
    if size > max_bytes:
        raise InputError(
            f"{where}: document is {human_size(size)}, over the limit of {human_size(max_bytes)} ([transform] max_document_size)",
            hint="raise max_document_size only where memory allows about 20x the document size",
        )


def has_doctype(data: bytes) -> bool:
    """True when a DOCTYPE declaration precedes the root element."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        data = data.decode("utf-16", errors="ignore").encode("utf-8")
    elif data.find(b"<!DOCTYPE") < 0:
        return False
    elif data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    pos = 0
    while True:
        match = _PROLOG_ITEM.match(data, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
    return data[pos : pos + 9] == b"<!DOCTYPE"


def parser(*, resolver: etree.Resolver | None = None, encoding: str | None = None, strip_blanks: bool = False) -> etree.XMLParser:
    """A parser that loads no DTD, resolves no entity and never touches the network.

    ``encoding`` overrides the document's declaration (record bodies are text already decoded).
    ``strip_blanks`` drops whitespace-only text between elements while parsing (for stylesheets
    that strip all whitespace anyway: see ``Stylesheet.strips_all``).
    """
    from lxml import etree

    made = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        encoding=encoding,
        remove_blank_text=strip_blanks,
    )
    if resolver is not None:
        made.resolvers.add(resolver)
    return made


_PARSERS: dict[tuple[str | None, bool], Any] = {}
_ETREE: Any = None  # lxml.etree, imported on first use (not at import time: see docs/architecture.md)


def parse(
    data: bytes,
    where: str,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    encoding: str | None = "utf-8",
    strip_blanks: bool = False,
) -> etree._Element:
    """Parse ``data`` safely or raise InputError naming ``where``, line and column.

    ``encoding`` None follows the document's own declaration (files); the
    default reads UTF-8 whatever it declares (record bodies re-encoded from text).
    ``max_bytes`` None: no size limit here (a reader with no ``[transform] max_document_size``).
    """
    global _ETREE
    if _ETREE is None:
        from lxml import etree as _ETREE
    etree = _ETREE
    if max_bytes is not None:
        check_size(len(data), max_bytes, where)
    if has_doctype(data):
        raise InputError(f"{where}: DOCTYPE refused: flowkit does not load DTDs or expand entities (billion laughs, XXE)")
    made = _PARSERS.get((encoding, strip_blanks))
    if made is None:
        made = _PARSERS[encoding, strip_blanks] = parser(encoding=encoding, strip_blanks=strip_blanks)
    try:
        return etree.fromstring(data, made)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        message = exc.msg.split(", line ")[0] if exc.msg else str(exc)
        if "Excessive depth" in message:
            message = "nesting deeper than 256 levels refused"
        raise InputError(f"{where}:{line}:{column}: invalid XML: {message}") from exc


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def jail_resolver(roots: tuple[Path, ...]) -> etree.Resolver:
    """A resolver that serves files under ``roots`` and refuses everything else."""
    from lxml import etree

    real_roots = tuple(os.path.realpath(root) for root in roots)

    class Jail(etree.Resolver):  # type: ignore[misc]
        def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
            path = url.removeprefix("file://")
            if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path):
                raise AccessDenied(f"network and URL access refused: {url}")
            real = os.path.realpath(path)
            if not _under(real, real_roots):
                raise AccessDenied(f"read outside the allowed folders refused: {url}")
            return self.resolve_filename(real, context)

    return Jail()
