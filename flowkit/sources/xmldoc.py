"""XML order documents as plain dicts, so one mapping serves the JSON and the XML form.

Rules: an element with only text is a string; an element whose children all
share one tag (or whose name is a known plural wrapper) is a list; any other
element is an object. Attributes become ``@name`` keys.
"""

from __future__ import annotations

from typing import Any

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
    """The document element's content as a dict, parsed as every flowkit reader parses XML.

    ``flowkit.mapping.xmlsafe``: a DOCTYPE is refused before parsing (no DTD, no entity,
    no network: billion laughs and XXE), and a syntax error names ``where``, line and column.
    """
    from flowkit.mapping import xmlsafe

    return _value(xmlsafe.parse(data, where, max_bytes=None, encoding=None))
