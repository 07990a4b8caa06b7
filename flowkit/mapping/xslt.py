"""XSLT 1.0 with lxml/libxslt: compile once, run many, under an access control.

The stylesheet may read (``document()``, ``xsl:include``/``xsl:import``) only
files under its own folder and the folders the config allows; it may not use
the network, write files or create folders (``exsl:document`` is refused).
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowkit.errors import ConfigError
from flowkit.mapping import xmlsafe

if TYPE_CHECKING:
    from lxml import etree

XSL = "http://www.w3.org/1999/XSL/Transform"
MEDIA = {"xml": "application/xml", "html": "text/html", "text": "text/plain"}
EXTENSIONS = {
    "application/xml": "xml",
    "text/xml": "xml",
    "text/html": "html",
    "application/xhtml+xml": "xhtml",
    "text/plain": "txt",
    "text/csv": "csv",
    "application/json": "json",
}


class TransformFailed(Exception):
    """The stylesheet failed on one document (xsl:message terminate, access refused, runtime error)."""


class Output:
    """A serialized result and what it is."""

    __slots__ = ("data", "encoding", "media_type", "method")

    def __init__(self, data: bytes, media_type: str, method: str, encoding: str) -> None:
        self.data = data
        self.media_type = media_type
        self.method = method
        self.encoding = encoding

    @property
    def text(self) -> str:
        return self.data.decode(self.encoding, errors="replace")

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.media_type, self.method if self.method != "text" else "txt")


def _declared_output(doc: etree._ElementTree) -> dict[str, str]:
    """The attributes of the stylesheet's top-level xsl:output elements, merged."""
    merged: dict[str, str] = {}
    for element in doc.getroot().iterfind(f"{{{XSL}}}output"):
        merged.update({str(k): str(v) for k, v in element.attrib.items()})
    return merged


def _unknown_encoding(doc: etree._ElementTree, encoding: str) -> str | None:
    """Why the output cannot be read as text when libxslt accepts an encoding Python has no codec for
    (``UCS-2``, ``EBCDIC-US``), or None. Each document the stylesheet transforms then fails as bad data."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        lines = [el.sourceline for el in doc.getroot().iterfind(f"{{{XSL}}}output") if el.get("encoding") is not None]
        where = f" (line {lines[-1]})" if lines and lines[-1] else ""
        return (
            f"xsl:output encoding {encoding!r}{where} is not one Python can read: "
            "declare UTF-8 or another encoding Python knows (ISO-8859-1, windows-1252, UTF-16, ...)"
        )
    return None


def _strips_all(doc: etree._ElementTree) -> bool:
    """True when the stylesheet strips every whitespace-only text node of its input.

    That is ``<xsl:strip-space elements="*"/>`` with no xsl:preserve-space, in a
    stylesheet that includes or imports nothing (an imported one could preserve
    space). libxslt would then remove those nodes before the transform; the
    input can be parsed without them (``remove_blank_text``, which keeps
    ``xml:space="preserve"``), for the same output with less work.
    """
    root = doc.getroot()
    tops = {child.tag for child in root if isinstance(child.tag, str)}
    if tops & {f"{{{XSL}}}preserve-space", f"{{{XSL}}}include", f"{{{XSL}}}import"}:
        return False
    return any("*" in element.get("elements", "").split() for element in root.iterfind(f"{{{XSL}}}strip-space"))


def _compile_message(path: Path, log: Any) -> str:
    entries = [e for e in log if e.message]
    located = [e for e in entries if e.line]
    first = located[0] if located else (entries[0] if entries else None)
    if first is None:
        return f"{path}: stylesheet does not compile"
    detail = "; ".join(dict.fromkeys(e.message.strip() for e in entries))
    line = first.line or 0
    return f"{path}:{line}: stylesheet does not compile: {detail}"


class Stylesheet:
    """A compiled XSLT stylesheet plus what its xsl:output declares."""

    def __init__(self, path: str | os.PathLike[str], *, allow_read: tuple[Path, ...] = ()) -> None:
        from lxml import etree

        self.path = Path(path)
        self.name = self.path.name
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read stylesheet: {exc.strerror}") from exc
        self.sha256 = hashlib.sha256(data).hexdigest()  # of the bytes compiled: the run's provenance (meta.transform)
        roots = (self.path.resolve().parent, *allow_read)
        safe = xmlsafe.parser(resolver=xmlsafe.jail_resolver(roots))
        try:
            if xmlsafe.has_doctype(data):
                raise ConfigError(f"{self.path}: DOCTYPE refused in a stylesheet")
            doc = etree.ElementTree(etree.fromstring(data, safe, base_url=str(self.path.resolve())))
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            raise ConfigError(f"{self.path}:{line}:{column}: stylesheet is not well-formed XML: {exc.msg}") from exc
        access = etree.XSLTAccessControl(
            read_file=True, write_file=False, create_dir=False, read_network=False, write_network=False
        )
        try:
            self._xslt = etree.XSLT(doc, access_control=access)
        except etree.XSLTParseError as exc:
            raise ConfigError(_compile_message(self.path, exc.error_log)) from exc
        except xmlsafe.AccessDenied as exc:
            raise ConfigError(f"{self.path}: {exc}") from exc
        self._apply_error = etree.XSLTApplyError
        self.strips_all = _strips_all(doc)
        declared = _declared_output(doc)
        self.method = declared.get("method", "")
        self.media_type = declared.get("media-type", "")
        self.encoding = declared.get("encoding", "UTF-8")
        self._bad_encoding = _unknown_encoding(doc, self.encoding)

    def apply(self, doc: etree._Element | etree._ElementTree, params: Mapping[str, str]) -> Output:
        """Transform ``doc``; string parameters are quoted safely (no XPath injection)."""
        if self._bad_encoding is not None:
            raise TransformFailed(self._bad_encoding)
        try:
            result = self._xslt(doc, **{name: _quote(value) for name, value in params.items()})
        except xmlsafe.AccessDenied as exc:
            raise TransformFailed(str(exc)) from exc
        except self._apply_error as exc:
            raise TransformFailed(_apply_message(exc, self._xslt.error_log)) from exc
        except OSError as exc:
            raise TransformFailed(f"document() failed: {exc}") from exc
        method = self.method or _default_method(result)
        media = self.media_type or MEDIA.get(method, "application/xml")
        return Output(bytes(result), media, method, self.encoding)


@functools.lru_cache(maxsize=4096)
def _quote(value: str) -> Any:
    """A string parameter for libxslt, quoted once per distinct value."""
    from lxml import etree

    return etree.XSLT.strparam(value)


def _default_method(result: etree._XSLTResultTree) -> str:
    """XSLT 1.0's default: html when the result's root is an un-namespaced <html>, else xml."""
    root = result.getroot()
    if root is not None and isinstance(root.tag, str) and root.tag.lower() == "html":
        return "html"
    return "xml" if root is not None else "text"


def _apply_message(exc: Exception, log: Any) -> str:
    denied = [e.message for e in log if "refused" in e.message or "denied" in e.message]
    if denied:
        return str(denied[0])
    messages = [e.message.strip() for e in log if e.message and not e.message.startswith("runtime error")]
    return str(messages[0]) if messages else str(exc)
