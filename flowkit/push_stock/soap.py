"""The OrderFlow SOAP inventory message: read (hardened lxml) and write.

The message is a SOAP 1.1 envelope whose body element carries ``skuQty``
(``item``s of ``key``/``value`` = sku/qty), ``skuSeqId`` (items of sku/seq)
and ``messageSeqId``; flowkit also reads and writes the optional ``skuSource``
(sku/source) and ``lastOrderExported``. Elements are matched by local name,
so any namespace prefix works. The parser loads no DTD, expands no entity and
never touches the network; a document with a DOCTYPE is refused.
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any
from xml.sax.saxutils import escape

from flowkit.errors import InputError
from flowkit.push_stock.model import BEYOND, Message, as_int, in_range

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
OPERATION = "orderflowInventoryUpdate"


def _parse(data: bytes, where: str) -> Any:
    """The hardened parser shared with transform: no DTD, no entities, no network, size limit."""
    from flowkit.mapping import xmlsafe

    return xmlsafe.parse(data, where, encoding=None)


def _pairs(root: Any, name: str, where: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for container in root.xpath(f"//*[local-name()='{name}']"):
        for item in container.xpath("./*[local-name()='item']"):
            key = item.xpath("string(./*[local-name()='key'])").strip()
            value = item.xpath("string(./*[local-name()='value'])").strip()
            if not key:
                raise InputError(f"{where}:{item.sourceline}: {name} item without a key")
            out.append((key, value))
    return out


def parse(data: bytes, where: str) -> Message:
    """The stock message in a SOAP inventory document."""
    root = _parse(data, where)
    qtys = _pairs(root, "skuQty", where)
    if not root.xpath("//*[local-name()='skuQty']"):
        raise InputError(f"{where}: not an inventory message (no skuQty element)")
    seqs: dict[str, deque[str]] = defaultdict(deque)
    for sku, seq in _pairs(root, "skuSeqId", where):
        seqs[sku].append(seq)
    sources = dict(_pairs(root, "skuSource", where))
    exported = root.xpath("string(//*[local-name()='lastOrderExported'])").strip() or None
    raw_seq = root.xpath("string(//*[local-name()='messageSeqId'])").strip()
    message_seq = as_int(raw_seq) if raw_seq else None
    if raw_seq and message_seq is None:
        raise InputError(f"{where}: messageSeqId {raw_seq!r} is not an integer")
    if message_seq is not None and not in_range(message_seq):
        raise InputError(f"{where}: messageSeqId {raw_seq} is {BEYOND}")
    lines: list[Any] = []
    for sku, qty in qtys:
        line: dict[str, Any] = {"sku": sku, "qty": qty, "seq": seqs[sku].popleft() if seqs[sku] else None}
        if sku in sources:
            line["source"] = sources[sku]
        if exported:
            line["last_order_exported"] = exported
        lines.append(line)
    key = str(message_seq) if message_seq is not None else where
    return Message(message_seq, lines, where, key, {"format": "soap"})


def _items(name: str, pairs: list[tuple[str, Any]]) -> str:
    inner = "".join(f"<item><key>{escape(str(k))}</key><value>{escape(str(v))}</value></item>" for k, v in pairs)
    return f"<{name}>{inner}</{name}>"


def render(message_seq: int, lines: list[dict[str, Any]]) -> bytes:
    """A SOAP inventory message for ``lines`` (sku, qty, seq, source)."""
    sources = [(ln["sku"], ln["source"]) for ln in lines if ln.get("source") not in (None, "default")]
    body = (
        _items("skuQty", [(ln["sku"], ln["qty"]) for ln in lines])
        + _items("skuSeqId", [(ln["sku"], ln["seq"]) for ln in lines])
        + (_items("skuSource", sources) if sources else "")
        + f"<messageSeqId>{message_seq}</messageSeqId>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="urn:Magento">'
        f"<SOAP-ENV:Body><ns1:{OPERATION}>{body}</ns1:{OPERATION}></SOAP-ENV:Body></SOAP-ENV:Envelope>\n"
    ).encode()
