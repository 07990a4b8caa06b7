"""The OrderFlow ``orderflowShipmentCreate`` SOAP call, read with a hardened parser.

The call (rpc/encoded) carries ``orderIncrementId``, ``skuQty`` (items of
``key`` = SKU, ``value`` = quantity), ``comment``, ``email`` (notify the
customer), ``includeComment``, ``courierName``, ``serviceName``,
``trackingNumber`` (one, or several separated by commas), ``dateShipped`` and
``messageSeqId``. Documents with a DTD or entity declarations are refused; the
parser never resolves entities nor touches the network.
"""

from __future__ import annotations

import re
from typing import Any

from flowkit.import_shipment.errors import BadMessage

OPERATION = "orderflowShipmentCreate"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
_FIELDS = {
    "orderIncrementId": "order",
    "comment": "comment",
    "email": "notify",
    "includeComment": "include_comment",
    "courierName": "courier",
    "serviceName": "service",
    "trackingNumber": "tracking",
    "dateShipped": "date_shipped",
    "messageSeqId": "message_seq",
}


def parse_soap(text: str | bytes) -> dict[str, Any]:
    """The SOAP call as a flowkit JSON shipment message (``BadMessage`` when it is not one)."""
    from lxml import etree

    from flowkit.errors import InputError
    from flowkit.mapping import xmlsafe

    data = text.encode("utf-8") if isinstance(text, str) else text
    if _DTD.search(data):
        raise BadMessage("SOAP message refused: it declares a DTD or entities")
    try:
        root = xmlsafe.parse(data, "SOAP message", encoding=None)
    except InputError as exc:
        raise BadMessage(exc.format_message()) from exc
    call = next((el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == OPERATION), None)
    if call is None:
        raise BadMessage(f"not an OrderFlow shipment message: no {OPERATION} element in the SOAP body")
    message: dict[str, Any] = {"lines": []}
    for part in call:
        if not isinstance(part.tag, str):
            continue
        name = etree.QName(part).localname
        if name == "skuQty":
            message["lines"] = _sku_qty(part)
        elif name in _FIELDS and not _is_nil(part):
            message[_FIELDS[name]] = (part.text or "").strip()
    return message


def _is_nil(element: Any) -> bool:
    return any(k.endswith("}nil") and v in ("true", "1") for k, v in element.attrib.items())


def _sku_qty(array: Any) -> list[dict[str, Any]]:
    """``skuQty`` items (key/value) as lines; a bad quantity is left for the message check to report."""
    from lxml import etree

    lines: list[dict[str, Any]] = []
    for item in array:
        if not isinstance(item.tag, str):
            continue
        values = {etree.QName(el).localname: (el.text or "").strip() for el in item if isinstance(el.tag, str)}
        if "key" not in values:
            raise BadMessage(f"skuQty item {len(lines) + 1}: 'key' (the SKU) missing")
        value = values.get("value", "")
        lines.append({"sku": values["key"], "qty": int(value) if re.fullmatch(r"-?\d+", value) else value})
    return lines
