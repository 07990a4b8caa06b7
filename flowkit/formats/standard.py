"""flowkit's standard payload (Connect: Flow / MIS.Generic-like), XML and JSON.

``tree(order, options)`` maps a canonical order to a neutral tree keyed by
the fields of ``flowkit.formats.names``; ``to_xml`` and ``to_json`` name
that same tree PascalCase or camelCase. Output is deterministic: members in a
fixed order, extra data in insertion order, no clocks or random values.
Pure Python string building (no lxml), so rendering stays cheap.
"""

from __future__ import annotations

import re
from typing import Any

from flowkit.formats.names import ITEMS, JSON, XML
from flowkit.formats.options import APPROVAL_STATUSES, RenderOptions
from flowkit.model import ADDRESS_KEYS, utc

Tree = dict[str, Any]
_ADDRESS = ADDRESS_KEYS[:3]  # then the street lines, then the tail
_ADDRESS_TAIL = ADDRESS_KEYS[4:]
_PAYMENT = (
    ("payment_method", "method"),
    ("transaction_id", "transaction_id"),
    ("capture_transaction_id", "capture_transaction_id"),
    ("purchase_order_number", "purchase_order_number"),
    ("platform_transaction_id", "platform_transaction_id"),
    ("authorization_request_id", "authorization_request_id"),
    ("capture_request_id", "capture_request_id"),
    ("payment_currency", "currency"),
    ("payment_amount", "amount"),
)
_LINE_SCALARS = (
    "sku",
    "product_ref",
    "name",
    "description",
    "quantity",
    "quantity_shipped",
    "status",
    "source_status",
    "unit_price",
    "unit_price_incl_tax",
    "tax_rate",
    "tax_amount",
    "discount_amount",
    "row_total",
    "row_total_incl_tax",
)


def _pick(src: dict[str, Any] | None, names: tuple[str, ...]) -> Tree | None:
    if src is None:
        return None
    get = src.get
    return {n: get(n) for n in names}


def _address(src: dict[str, Any] | None) -> Tree | None:
    if src is None:
        return None
    out = {n: src.get(n) for n in _ADDRESS}
    lines = src.get("lines") or []
    out["address_line1"] = lines[0] if lines else None
    out["address_line2"] = ", ".join(lines[1:]) if len(lines) > 1 else None
    for n in _ADDRESS_TAIL:
        out[n] = src.get(n)
    return out


def _history(items: list[dict[str, Any]] | None, approvals: bool) -> list[Tree]:
    out = []
    for item in items or ():
        if approvals and item.get("status") not in APPROVAL_STATUSES:
            continue
        out.append(
            {
                "timestamp": utc(item.get("at")),
                "status": item.get("status"),
                "status_id": item.get("status_id"),
                "actor_id": item.get("actor_id"),
                "info": item.get("info"),
            }
        )
    return out


def _extra(data: dict[str, str] | None, options: RenderOptions) -> list[Tree]:
    excluded = options.excluded
    return [{"key": k, "value": v} for k, v in (data or {}).items() if not excluded(k)]


def _documents(items: list[dict[str, Any]] | None, options: RenderOptions) -> list[Tree]:
    allowed = options.document_types
    return [{"type": d.get("type"), "url": d.get("url")} for d in items or () if allowed.get(str(d.get("type")), True)]


def _attributes(line: dict[str, Any], options: RenderOptions) -> tuple[list[Tree], str | None]:
    attributes = line.get("attributes") or []
    if not options.attributes:
        return [{"name": a.get("name"), "value": a.get("value")} for a in attributes], line.get("attribute_summary")
    keep = options.attribute_set
    kept = [{"name": a.get("name"), "value": a.get("value")} for a in attributes if a.get("name") in keep]
    summary = "; ".join(a["name"] if a["value"] is None else f"{a['name']}: {a['value']}" for a in kept) or None
    return kept, summary


def _line(line: dict[str, Any], options: RenderOptions) -> Tree:
    refs = line.get("external_refs") or {}
    out: Tree = {"id": line.get("id"), "line_number": line.get("line_number"), "job_id": refs.get("infigo.job_id")}
    for n in _LINE_SCALARS:
        out[n] = line.get(n)
    out["attributes"], out["attribute_summary"] = _attributes(line, options)
    out["delivery_type"] = line.get("delivery_type")
    out["print"] = _pick(line.get("print"), ("pages", "width_mm", "height_mm"))
    out["supplier_id"] = line.get("supplier")
    out["external_refs"] = [{"key": k, "value": v} for k, v in refs.items()]
    if options.assets:
        out["assets"] = [_pick(a, ("role", "area", "url", "content_type", "hash")) for a in line.get("assets") or ()]
    out["documents"] = _documents(line.get("documents"), options)
    if options.extra_data:
        out["extra_data"] = _extra(line.get("extra_data"), options)
    if options.history:
        out["history"] = _history(line.get("history"), False)
    if options.approval_history:
        out["approval_history"] = _history(line.get("approval_history"), True)
    return out


def _payment(payment: dict[str, Any]) -> Tree:
    out = {field: payment.get(src) for field, src in _PAYMENT}
    out["authorization_expires_at"] = utc(payment.get("authorization_expires_at"))
    out["transacted_at"] = utc(payment.get("transacted_at"))
    return out


def _head(order: dict[str, Any]) -> Tree:
    hold = order.get("hold") or {}
    source = order.get("source") or {}
    notes = order.get("notes") or {}
    return {
        "id": order.get("id"),
        "number": order.get("number"),
        "status": order.get("status"),
        "source_status": order.get("source_status"),
        "hold": {"on_hold": bool(hold.get("on_hold")), "reason": hold.get("reason"), "until": utc(hold.get("until"))},
        "tags": list(order.get("tags") or ()),
        "placed_at": utc(order.get("placed_at")),
        "created_at": utc(order.get("created_at")),
        "updated_at": utc(order.get("updated_at")),
        "currency": order.get("currency"),
        "po_number": order.get("po_number"),
        "source": {
            "system": source.get("system"),
            "store": source.get("store"),
            "channel": _pick(source.get("channel"), ("id", "name", "type")),
        },
        "supplier": _pick(order.get("supplier"), ("id", "name")),
        "external_refs": [{"key": k, "value": v} for k, v in (order.get("external_refs") or {}).items()],
        "customer": _pick(
            order.get("customer"), ("id", "email", "first_name", "last_name", "phone", "company", "is_guest", "group")
        ),
        "billing_address": _address(order.get("billing_address")),
        "shipping_address": _address(order.get("shipping_address")),
        "notes": {"customer_note": notes.get("customer"), "internal_notes": list(notes.get("internal") or ())},
    }


def _money(order: dict[str, Any]) -> Tree:
    """Shipping, totals and discounts of the order."""
    shipping, totals = order.get("shipping"), order.get("totals")
    out: Tree = {"shipping": None, "totals": None}
    if shipping is not None:
        out["shipping"] = _pick(shipping, ("method_code", "method_name", "carrier"))
        out["shipping"].update(deliver_by=utc(shipping.get("deliver_by")), dispatch_by=utc(shipping.get("dispatch_by")))
        out["shipping"]["instructions"] = shipping.get("instructions")
    if totals is not None:
        out["totals"] = {
            "subtotal": totals.get("subtotal"),
            "discount": totals.get("discount"),
            "shipping_total": totals.get("shipping"),
        }
        out["totals"].update(_pick(totals, ("tax", "grand_total", "prices_include_tax")) or {})
    out["discounts"] = [
        {**(_pick(d, ("code", "name", "amount")) or {}), "line_ids": list(d.get("line_ids") or ())}
        for d in order.get("discounts") or ()
    ]
    return out


def tree(order: dict[str, Any], options: RenderOptions, lines: list[dict[str, Any]] | None = None) -> Tree:
    """The neutral payload tree of ``order`` (``lines``: the lines to render, default all)."""
    out = _head(order)
    out.update(_money(order))
    out["lines"] = [_line(line, options) for line in (order.get("lines") or () if lines is None else lines)]
    if options.payment:
        out["payments"] = [_payment(p) for p in order.get("payments") or ()]
    out["documents"] = _documents(order.get("documents"), options)
    if options.extra_data:
        out["extra_data"] = _extra(order.get("extra_data"), options)
    if options.history:
        out["history"] = _history(order.get("history"), False)
    if options.approval_history:
        out["approval_history"] = _history(order.get("approval_history"), True)
    return out


# ---- JSON ---------------------------------------------------------------------------------------------------------


def to_json(node: Tree) -> Tree:
    """The tree with camelCase member names (a JSON value: dicts, lists, scalars)."""
    return {JSON[k]: _json_value(v) for k, v in node.items()}


def _json_value(value: Any) -> Any:
    if type(value) is dict:
        return {JSON[k]: _json_value(v) for k, v in value.items()}
    if type(value) is list:
        return [_json_value(v) for v in value]
    return value


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _u_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def ascii_json(text: str) -> str:
    """JSON text with every non-ASCII character as ``\\uXXXX`` (surrogate pairs above U+FFFF)."""
    return text if text.isascii() else _NON_ASCII.sub(_u_escape, text)


# ---- XML ----------------------------------------------------------------------------------------------------------

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` with characters XML 1.0 cannot carry replaced by U+FFFD."""
    return _INVALID_XML.sub("\ufffd", text)


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    text = value if type(value) is str else str(value)
    if not text.isprintable():
        text = _INVALID_XML.sub("\ufffd", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


_OPEN = {f: f"<{n}>" for f, n in XML.items() if n}
_CLOSE = {f: f"</{n}>" for f, n in XML.items() if n}
_EMPTY = {f: f"<{n}/>" for f, n in XML.items() if n}
_SCALARS = (str, int, float, bool)


def _xml_dict(parts: list[str], value: Tree, pad: str, step: str) -> None:
    """The members of one object; scalars inline (the hot loop), containers by recursion."""
    append = parts.append
    for key, item in value.items():
        kind = type(item)
        if kind is str:
            if not item.isprintable() or "&" in item or "<" in item or ">" in item:
                item = _text(item)
            append(f"{pad}{_OPEN[key]}{item}{_CLOSE[key]}")
        elif item is None:
            append(pad + _EMPTY[key])
        elif kind in _SCALARS:
            append(f"{pad}{_OPEN[key]}{_text(item)}{_CLOSE[key]}")
        elif kind is dict:
            append(pad + _OPEN[key])
            _xml_dict(parts, item, pad + step, step)
            append(pad + _CLOSE[key])
        else:
            _xml_list(parts, key, item, pad, step)


def _xml_list(parts: list[str], field: str, items: list[Any], pad: str, step: str) -> None:
    item_name = ITEMS[field]
    wrapped = XML[field] is not None
    if wrapped and not items:
        parts.append(pad + _EMPTY[field])
        return
    inner = pad + step if wrapped else pad
    if wrapped:
        parts.append(pad + _OPEN[field])
    for item in items:
        if type(item) is dict:
            parts.append(f"{inner}<{item_name}>")
            _xml_dict(parts, item, inner + step, step)
            parts.append(f"{inner}</{item_name}>")
        elif item is None:
            parts.append(f"{inner}<{item_name}/>")
        else:
            parts.append(f"{inner}<{item_name}>{_text(item)}</{item_name}>")
    if wrapped:
        parts.append(pad + _CLOSE[field])


def to_xml(node: Tree, *, indent: bool = True, escape_non_ascii: bool = False) -> str:
    """The tree as an XML document rooted at ``<Order>`` (always well-formed).

    Characters XML 1.0 cannot carry (most C0 controls, lone surrogates) become
    U+FFFD; with ``escape_non_ascii`` every non-ASCII character is written as
    a character reference (``&#233;``).
    """
    pad, step = ("\n", "  ") if indent else ("", "")
    parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>', pad + _OPEN["order"]]
    _xml_dict(parts, node, pad + step, step)
    parts.append(pad + _CLOSE["order"] + "\n")
    text = "".join(parts)
    if escape_non_ascii and not text.isascii():
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    return text
