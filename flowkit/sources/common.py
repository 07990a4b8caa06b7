"""Helpers every source mapping shares: the canonical skeleton and value normalisers.

Conventions of ``flowkit.order/1``: money as decimal strings, ISO currency
upper case, RFC 3339 UTC timestamps with ``Z``, ids as strings, unmapped
scalars in ``extra_data`` (string -> string).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flowkit.model import ADDRESS_KEYS

SCHEMA = "flowkit.order/1"
INT_MAX = (1 << 63) - 1
STATUSES = (
    "draft",
    "pending",
    "payment_pending",
    "on_hold",
    "approved",
    "in_production",
    "printed",
    "partially_shipped",
    "shipped",
    "delivered",
    "cancelled",
    "failed",
)


class AmountError(ValueError):
    """A number in a source document that no amount can hold (``Infinity``, ``1e30``): bad data.

    ``apply_mapping`` names the document and the value's JSON path in it (``at``).
    """

    def __init__(self, value: Any, what: str) -> None:
        super().__init__(f"{value!r} is not {what}")
        self.value = value

    def at(self, doc: Any) -> str:
        """The message, led by the JSON path of the value in ``doc`` when it is found there."""
        path = _path_of(doc, self.value, "$")
        return f"{path}: {self}" if path else f"a value of the document: {self}"


def _path_of(doc: Any, value: Any, path: str) -> str | None:
    """The JSON path of ``value`` itself (the very object a mapping read) in ``doc``, or None."""
    if doc is value:
        return path
    if isinstance(doc, Mapping):
        pairs: Iterable[tuple[str, Any]] = (
            (f"{path}.{k}" if str(k).isidentifier() else f"{path}[{k!r}]", v) for k, v in doc.items()
        )
    elif isinstance(doc, list):
        pairs = ((f"{path}[{i}]", v) for i, v in enumerate(doc))
    else:
        return None
    for where, item in pairs:
        found = _path_of(item, value, where)
        if found is not None:
            return found
    return None


def s(value: Any) -> str | None:
    """A string id/text, or None for missing/empty values."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def money(value: Any, places: int = 2) -> str | None:
    """A decimal string rounded half-up to ``places`` (``"12.50"``); None when absent."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    try:
        return str(amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    except InvalidOperation:  # Infinity, sNaN, or more digits than a decimal holds (1e30)
        raise AmountError(value, "a money amount (a finite decimal of at most 28 digits)") from None


def unit_money(value: Any) -> str | None:
    """A unit price: at least 2 decimals, up to 4 when the source gives them (``"0.144"``)."""
    text = money(value, 4)
    if text is None:
        return None
    head, _, tail = text.partition(".")
    return f"{head}.{tail.rstrip('0').ljust(2, '0')}"


def rate(value: Any) -> str | None:
    """A percentage as a plain decimal string without trailing zeros (``"20"``, ``"7.5"``)."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).normalize()
    except InvalidOperation:
        return None
    text = format(amount, "f")
    return text


def timestamp(value: Any) -> str | None:
    """RFC 3339 UTC with ``Z``; naive values (Magento's ``2025-03-14 09:26:53``) are UTC."""
    if value is None or value == "":
        return None
    text = str(value).strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00+01:00 is before year 1 in UTC
        return str(value)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if moment.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return moment.strftime(fmt)


def upper(value: Any) -> str | None:
    text = s(value)
    return text.upper() if text else None


def integer(value: Any, default: int = 0) -> int:
    """A whole number (``"3"``, ``3.0``); ``default`` for text that is no number."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return default
    if amount.is_nan():
        return default
    # adjusted() first: int() of 1e999999999 would build a billion-digit number
    if not amount.is_finite() or amount.adjusted() > 18 or not -INT_MAX - 1 <= int(amount) <= INT_MAX:
        raise AmountError(value, "a whole number within 64 bits")
    return int(amount)


def extra(items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, str]:
    """An ``extra_data`` map: strings kept, other values JSON-encoded, None dropped."""
    pairs = items.items() if isinstance(items, Mapping) else items
    out: dict[str, str] = {}
    for key, value in pairs:
        if value is None:
            continue
        out[str(key)] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return out


def address(**fields: Any) -> dict[str, Any]:
    """A canonical address with every key present (missing ones None, ``lines`` a list)."""
    out: dict[str, Any] = {key: None for key in ADDRESS_KEYS}
    for key, value in fields.items():
        if key not in out:
            raise KeyError(key)
        out[key] = value if key == "lines" else s(value)
    out["lines"] = [str(line) for line in (out["lines"] or []) if line not in (None, "")]
    if out["country_code"]:
        out["country_code"] = out["country_code"].upper()
    return out


def order_skeleton(number: str) -> dict[str, Any]:
    """A canonical order with every top-level key present, to be filled by a mapping."""
    return {
        "schema": SCHEMA,
        "id": None,
        "number": number,
        "external_refs": {},
        "source": {"system": None, "channel": {"id": None, "name": None, "type": None}, "store": None},
        "supplier": None,
        "status": "pending",
        "source_status": None,
        "hold": {"on_hold": False, "reason": None, "until": None},
        "tags": [],
        "placed_at": None,
        "created_at": None,
        "updated_at": None,
        "currency": None,
        "po_number": None,
        "customer": {
            "id": None,
            "email": None,
            "first_name": None,
            "last_name": None,
            "phone": None,
            "company": None,
            "is_guest": False,
            "group": None,
        },
        "billing_address": None,
        "shipping_address": None,
        "shipping": {
            "method_code": None,
            "method_name": None,
            "carrier": None,
            "deliver_by": None,
            "dispatch_by": None,
            "instructions": None,
        },
        "totals": {
            "subtotal": None,
            "discount": None,
            "shipping": None,
            "tax": None,
            "grand_total": None,
            "prices_include_tax": False,
        },
        "discounts": [],
        "lines": [],
        "payments": [],
        "history": [],
        "approval_history": [],
        "shipments": [],
        "documents": [],
        "notes": {"customer": None, "internal": []},
        "extra_data": {},
        "sync": {"exported": False, "exported_at": None},
    }


def line_skeleton(line_id: str, line_number: int) -> dict[str, Any]:
    """A canonical order line with every key present."""
    return {
        "id": line_id,
        "line_number": line_number,
        "external_refs": {},
        "sku": None,
        "product_ref": None,
        "name": None,
        "description": None,
        "quantity": 0,
        "quantity_shipped": 0,
        "status": None,
        "source_status": None,
        "unit_price": None,
        "unit_price_incl_tax": None,
        "tax_rate": None,
        "tax_amount": None,
        "discount_amount": None,
        "row_total": None,
        "row_total_incl_tax": None,
        "attributes": [],
        "attribute_summary": None,
        "delivery_type": None,
        "print": None,
        "assets": [],
        "documents": [],
        "extra_data": {},
        "history": [],
        "approval_history": [],
        "supplier": None,
    }


def summary(attributes: list[dict[str, Any]]) -> str | None:
    """``"Paper: 350gsm silk; Sides: 4-4"`` from attribute pairs."""
    parts = [f"{a['name']}: {a['value']}" for a in attributes if a.get("name")]
    return "; ".join(parts) or None


def dig(doc: Any, *path: str | int) -> Any:
    """``doc[a][b]…`` or None when any step is missing."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(doc, list) or len(doc) <= step:
                return None
        elif not isinstance(doc, Mapping):
            return None
        doc = doc[step] if isinstance(step, int) else doc.get(step)
    return doc
