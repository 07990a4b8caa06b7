"""flowkit's standard payload (Connect: Flow / MIS.Generic-like), XML and JSON.

``tree(order, options)`` maps a canonical order to a tree keyed by the
fields of ``flowkit.formats.names``, which ``to_xml`` names PascalCase; with
``names=CAMEL`` the same builder keys it by the camelCase JSON names, and
that tree is the JSON payload (no second pass renames it). Output is deterministic: members in a
fixed order, extra data in insertion order, no clocks or random values.
Pure Python string building (no lxml), so rendering stays cheap.
"""

from __future__ import annotations

import re
from functools import cache
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


class Names:
    """The member names of one format's tree: ``n[field]`` (flowkit.formats.names), and the copied groups.

    The XML tree is keyed by field (``to_xml`` names the elements); the JSON
    tree is built with its camelCase names at once, so it needs no second pass.
    """

    __slots__ = ("asset", "channel", "customer", "n", "print", "shipping", "supplier", "totals")

    def __init__(self, names: dict[str, str]) -> None:
        self.n = names
        self.print = self.pairs("pages", "width_mm", "height_mm")
        self.asset = self.pairs("role", "area", "url", "content_type", "hash")
        self.channel = self.pairs("id", "name", "type")
        self.supplier = self.pairs("id", "name")
        self.customer = self.pairs("id", "email", "first_name", "last_name", "phone", "company", "is_guest", "group")
        self.shipping = self.pairs("method_code", "method_name", "carrier")
        self.totals = self.pairs("tax", "grand_total", "prices_include_tax")

    def pairs(self, *fields: str) -> tuple[tuple[str, str], ...]:
        """(source key, member name) of fields copied as they are."""
        return tuple((f, self.n[f]) for f in fields)


FIELDS = Names({field: field for field in XML})
CAMEL = Names(JSON)


def _pick(src: dict[str, Any] | None, pairs: tuple[tuple[str, str], ...]) -> Tree | None:
    if src is None:
        return None
    get = src.get
    return {name: get(key) for key, name in pairs}


def _address(src: dict[str, Any] | None, n: dict[str, str]) -> Tree | None:
    if src is None:
        return None
    out = {n[k]: src.get(k) for k in _ADDRESS}
    lines = src.get("lines") or []
    out[n["address_line1"]] = lines[0] if lines else None
    out[n["address_line2"]] = ", ".join(lines[1:]) if len(lines) > 1 else None
    for k in _ADDRESS_TAIL:
        out[n[k]] = src.get(k)
    return out


def _history(items: list[dict[str, Any]] | None, approvals: bool, n: dict[str, str]) -> list[Tree]:
    out = []
    for item in items or ():
        if approvals and item.get("status") not in APPROVAL_STATUSES:
            continue
        out.append(
            {
                n["timestamp"]: utc(item.get("at")),
                n["status"]: item.get("status"),
                n["status_id"]: item.get("status_id"),
                n["actor_id"]: item.get("actor_id"),
                n["info"]: item.get("info"),
            }
        )
    return out


def _extra(data: dict[str, str] | None, options: RenderOptions, n: dict[str, str]) -> list[Tree]:
    excluded, key, value = options.excluded, n["key"], n["value"]
    return [{key: k, value: v} for k, v in (data or {}).items() if not excluded(k)]


def _refs(refs: dict[str, Any], n: dict[str, str]) -> list[Tree]:
    key, value = n["key"], n["value"]
    return [{key: k, value: v} for k, v in refs.items()]


def _documents(items: list[dict[str, Any]] | None, options: RenderOptions, n: dict[str, str]) -> list[Tree]:
    allowed, kind, url = options.document_types, n["type"], n["url"]
    return [{kind: d.get("type"), url: d.get("url")} for d in items or () if allowed.get(str(d.get("type")), True)]


def _attributes(line: dict[str, Any], options: RenderOptions, n: dict[str, str]) -> tuple[list[Tree], str | None]:
    attributes = line.get("attributes") or []
    name, value = n["name"], n["value"]
    if not options.attributes:
        return [{name: a.get("name"), value: a.get("value")} for a in attributes], line.get("attribute_summary")
    keep = options.attribute_set
    kept = [a for a in attributes if a.get("name") in keep]
    summary = "; ".join(a["name"] if a.get("value") is None else f"{a['name']}: {a.get('value')}" for a in kept) or None
    return [{name: a.get("name"), value: a.get("value")} for a in kept], summary


def _line(line: dict[str, Any], options: RenderOptions, names: Names) -> Tree:
    n = names.n
    refs = line.get("external_refs") or {}
    out: Tree = {n["id"]: line.get("id"), n["line_number"]: line.get("line_number"), n["job_id"]: refs.get("infigo.job_id")}
    for k in _LINE_SCALARS:
        out[n[k]] = line.get(k)
    out[n["attributes"]], out[n["attribute_summary"]] = _attributes(line, options, n)
    out[n["delivery_type"]] = line.get("delivery_type")
    out[n["print"]] = _pick(line.get("print"), names.print)
    out[n["supplier_id"]] = line.get("supplier")
    out[n["external_refs"]] = _refs(refs, n)
    if options.assets:
        asset = names.asset
        out[n["assets"]] = [_pick(a, asset) for a in line.get("assets") or ()]
    out[n["documents"]] = _documents(line.get("documents"), options, n)
    if options.extra_data:
        out[n["extra_data"]] = _extra(line.get("extra_data"), options, n)
    if options.history:
        out[n["history"]] = _history(line.get("history"), False, n)
    if options.approval_history:
        out[n["approval_history"]] = _history(line.get("approval_history"), True, n)
    return out


def _payment(payment: dict[str, Any], n: dict[str, str]) -> Tree:
    out = {n[field]: payment.get(src) for field, src in _PAYMENT}
    out[n["authorization_expires_at"]] = utc(payment.get("authorization_expires_at"))
    out[n["transacted_at"]] = utc(payment.get("transacted_at"))
    return out


def _head(order: dict[str, Any], names: Names) -> Tree:
    n = names.n
    hold = order.get("hold") or {}
    source = order.get("source") or {}
    notes = order.get("notes") or {}
    return {
        n["id"]: order.get("id"),
        n["number"]: order.get("number"),
        n["status"]: order.get("status"),
        n["source_status"]: order.get("source_status"),
        n["hold"]: {
            n["on_hold"]: bool(hold.get("on_hold")),
            n["reason"]: hold.get("reason"),
            n["until"]: utc(hold.get("until")),
        },
        n["tags"]: list(order.get("tags") or ()),
        n["placed_at"]: utc(order.get("placed_at")),
        n["created_at"]: utc(order.get("created_at")),
        n["updated_at"]: utc(order.get("updated_at")),
        n["currency"]: order.get("currency"),
        n["po_number"]: order.get("po_number"),
        n["source"]: {
            n["system"]: source.get("system"),
            n["store"]: source.get("store"),
            n["channel"]: _pick(source.get("channel"), names.channel),
        },
        n["supplier"]: _pick(order.get("supplier"), names.supplier),
        n["external_refs"]: _refs(order.get("external_refs") or {}, n),
        n["customer"]: _pick(order.get("customer"), names.customer),
        n["billing_address"]: _address(order.get("billing_address"), n),
        n["shipping_address"]: _address(order.get("shipping_address"), n),
        n["notes"]: {n["customer_note"]: notes.get("customer"), n["internal_notes"]: list(notes.get("internal") or ())},
    }


def _money(order: dict[str, Any], out: Tree, names: Names) -> None:
    """Shipping, totals and discounts of the order, into ``out``."""
    n = names.n
    shipping, totals = order.get("shipping"), order.get("totals")
    out[n["shipping"]] = out[n["totals"]] = None
    if shipping is not None:
        ship: Tree = {name: shipping.get(key) for key, name in names.shipping}
        ship[n["deliver_by"]] = utc(shipping.get("deliver_by"))
        ship[n["dispatch_by"]] = utc(shipping.get("dispatch_by"))
        ship[n["instructions"]] = shipping.get("instructions")
        out[n["shipping"]] = ship
    if totals is not None:
        sums: Tree = {
            n["subtotal"]: totals.get("subtotal"),
            n["discount"]: totals.get("discount"),
            n["shipping_total"]: totals.get("shipping"),
        }
        sums.update({name: totals.get(key) for key, name in names.totals})
        out[n["totals"]] = sums
    code, name, amount, line_ids = n["code"], n["name"], n["amount"], n["line_ids"]
    out[n["discounts"]] = [
        {code: d.get("code"), name: d.get("name"), amount: d.get("amount"), line_ids: list(d.get("line_ids") or ())}
        for d in order.get("discounts") or ()
    ]


def tree(order: dict[str, Any], options: RenderOptions, lines: list[dict[str, Any]] | None = None, names: Names = FIELDS) -> Tree:
    """The payload tree of ``order`` (``lines``: the lines to render, default all).

    Keyed by field (``FIELDS``, what ``to_xml`` writes), or by the JSON names (``CAMEL``: the JSON payload as it is).
    """
    n = names.n
    out = _head(order, names)
    _money(order, out, names)
    out[n["lines"]] = [_line(line, options, names) for line in (order.get("lines") or () if lines is None else lines)]
    if options.payment:
        out[n["payments"]] = [_payment(p, n) for p in order.get("payments") or ()]
    out[n["documents"]] = _documents(order.get("documents"), options, n)
    if options.extra_data:
        out[n["extra_data"]] = _extra(order.get("extra_data"), options, n)
    if options.history:
        out[n["history"]] = _history(order.get("history"), False, n)
    if options.approval_history:
        out[n["approval_history"]] = _history(order.get("approval_history"), True, n)
    return out


# ---- JSON ---------------------------------------------------------------------------------------------------------


@cache
def _non_ascii() -> re.Pattern[str]:
    return re.compile(r"[^\x00-\x7f]")  # compiled on first use, as _invalid_xml: most runs never need it


def _u_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def ascii_json(text: str) -> str:
    """JSON text with every non-ASCII character as ``\\uXXXX`` (surrogate pairs above U+FFFF)."""
    return text if text.isascii() else _non_ascii().sub(_u_escape, text)


# ---- XML ----------------------------------------------------------------------------------------------------------


@cache
def _invalid_xml() -> re.Pattern[str]:
    """Characters XML 1.0 cannot carry (compiled on first use: ~0.8 ms of a start, and most text is printable)."""
    return re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` with characters XML 1.0 cannot carry replaced by U+FFFD."""
    return _invalid_xml().sub("\ufffd", text)


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    text = value if type(value) is str else str(value)
    if not text.isprintable():
        text = _invalid_xml().sub("\ufffd", text)
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


def to_xml(node: Tree, *, indent: bool = True, escape_non_ascii: bool = False, root: str = "order") -> str:
    """The tree as an XML document rooted at ``<Order>`` (``root``: the field of another, ``product``; always well-formed).

    Characters XML 1.0 cannot carry (most C0 controls, lone surrogates) become
    U+FFFD; with ``escape_non_ascii`` every non-ASCII character is written as
    a character reference (``&#233;``).
    """
    pad, step = ("\n", "  ") if indent else ("", "")
    parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>', pad + _OPEN[root]]
    _xml_dict(parts, node, pad + step, step)
    parts.append(pad + _CLOSE[root] + "\n")
    text = "".join(parts)
    if escape_non_ascii and not text.isascii():
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    return text
