"""Compare a transform's output with the expected one, and validate XML outputs.

XML is compared in canonical form (C14N); JSON structurally; anything else
(HTML, CSV, text) as text. A mismatch is reported as a unified diff.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from flowkit import golden
from flowkit.errors import ConfigError
from flowkit.mapping import xmlsafe

if TYPE_CHECKING:
    from lxml import etree

Validator = Callable[["etree._Element"], list[str]]


def kind_of(media_type: str) -> str:
    """How to compare an output of this media type: xml, json or text."""
    if media_type == "application/json" or media_type.endswith("+json"):
        return "json"
    if media_type in ("application/xml", "text/xml") or media_type.endswith("+xml"):
        return "xml"
    return "text"


def _strip_whitespace(root: etree._Element) -> None:
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None


def canonical_xml(data: bytes, where: str, *, ignore_whitespace: bool) -> str:
    """The C14N form of an XML document; without significant blanks when asked."""
    from lxml import etree

    tree = xmlsafe.parse(data, where, encoding=None)
    if ignore_whitespace:
        _strip_whitespace(tree)
        etree.indent(tree)
    return str(etree.tostring(tree, method="c14n").decode("utf-8"))


def _text(data: bytes, *, ignore_whitespace: bool) -> str:
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    if ignore_whitespace:
        lines = (re.sub(r"\s+", " ", line).strip() for line in text.split("\n"))
        return "\n".join(line for line in lines if line)
    return text


def _json(data: bytes, where: str) -> str:
    return golden.json_text(golden.parse_json(data, where))


def normal_form(data: bytes, kind: str, where: str, *, ignore_whitespace: bool) -> str:
    if kind == "xml":
        return canonical_xml(data, where, ignore_whitespace=ignore_whitespace)
    if kind == "json":
        return _json(data, where)
    return _text(data, ignore_whitespace=ignore_whitespace)


def diff(expected: bytes, actual: bytes, kind: str, *, names: tuple[str, str], ignore_whitespace: bool = False) -> str | None:
    """A unified diff of the normal forms, or None when they are equal."""
    want = normal_form(expected, kind, names[0], ignore_whitespace=ignore_whitespace)
    got = normal_form(actual, kind, names[1], ignore_whitespace=ignore_whitespace)
    return golden.unified(want, got, names)


def validator(path: str | Path) -> Validator:
    """A validator for an XSD (.xsd), RELAX NG (.rng) or Schematron (.sch) file."""
    from lxml import etree, isoschematron

    path = Path(path)
    jail = xmlsafe.parser(resolver=xmlsafe.jail_resolver((path.resolve().parent,)))
    try:
        doc = etree.parse(str(path), jail)
        suffix = path.suffix.lower()
        if suffix == ".xsd":
            schema: etree._Validator = etree.XMLSchema(doc)
        elif suffix == ".rng":
            schema = etree.RelaxNG(doc)
        elif suffix in (".sch", ".schematron"):
            schema = isoschematron.Schematron(doc, store_report=True)
        else:
            raise ConfigError(f"{path}: unknown schema type (use .xsd, .rng or .sch)")
    except (
        etree.XMLSyntaxError,
        etree.XMLSchemaParseError,
        etree.RelaxNGParseError,
        etree.SchematronParseError,
        OSError,
        xmlsafe.AccessDenied,
    ) as exc:
        raise ConfigError(f"{path}: cannot load schema: {exc}") from exc

    def check(tree: etree._Element) -> list[str]:
        if schema.validate(tree):
            return []
        if isinstance(schema, isoschematron.Schematron):
            return _schematron_failures(schema)
        return [f"line {e.line}: {e.message}" for e in schema.error_log]

    return check


def _schematron_failures(schema: object) -> list[str]:
    report = getattr(schema, "validation_report", None)
    if report is None:
        return ["Schematron validation failed"]
    ns = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
    out = []
    for failed in report.iterfind(".//svrl:failed-assert", ns):
        text = " ".join("".join(failed.itertext()).split())
        out.append(f"{failed.get('location')}: {text}")
    return out or ["Schematron validation failed"]
