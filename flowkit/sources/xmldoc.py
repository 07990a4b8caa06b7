"""XML order documents as plain dicts, so one mapping serves the JSON and the XML form.

Rules: an element with only text is a string; an element whose children all
share one tag (or whose name is a known plural wrapper) is a list; any other
element is an object. Attributes become ``@name`` keys.
"""

from __future__ import annotations

from typing import Any

from flowkit.errors import InputError

LIST_WRAPPERS = frozenset(
    {
        "OrderLines",
        "Payments",
        "History",
        "ApprovalHistory",
        "ExtraData",
        "Attributes",
        "CheckoutAttributes",
        "CustomTags",
        "items",
        "assets",
        "attributes",
        "address",
        "status_histories",
    }
)


def _value(element: Any) -> Any:
    children = [c for c in element if isinstance(c.tag, str)]
    attrs = {f"@{k}": v for k, v in element.attrib.items()}
    if not children:
        text = (element.text or "").strip()
        return {**attrs, "#text": text} if attrs else (text if text else None)
    tags = {c.tag for c in children}
    if element.tag in LIST_WRAPPERS or (len(children) > 1 and len(tags) == 1):
        return [_value(c) for c in children]
    out: dict[str, Any] = dict(attrs)
    for child in children:
        out[child.tag] = _value(child)
    return out


def parse(data: bytes, where: str) -> Any:
    """The document element's content as a dict (lxml, entities and network disabled)."""
    from lxml import etree  # type: ignore[import-untyped, unused-ignore]

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise InputError(f"{where}:{line}:{column}: invalid XML: {exc.msg}") from exc
    return _value(root)
