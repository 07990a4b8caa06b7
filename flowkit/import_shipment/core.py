"""Apply one shipment message to the state store, all or nothing.

Each message is one transaction: dedupe by (kind ``shipment``, target,
``message_seq``), validate the whole message against the order, then record
one shipment per source, advance shipped quantities and the order status,
mark the message processed and append to the order's story. Any refusal
rolls the transaction back, so a failed message writes nothing and can be
resent; its one trace is a ``rejected`` event in the order's story, written
afterwards (``store.rejections``) and never marking the message processed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flowkit.import_shipment.errors import BadMessage
from flowkit.import_shipment.messages import Message, parse
from flowkit.records import Record, make_record
from flowkit.store import Store, rejections
from flowkit.store import shipments as ledger

COMMAND = "import-shipment"
DUPLICATE = "Duplicate Shipment Line Ignored."


@dataclass(frozen=True)
class Options:
    """How messages are applied and what is written for each."""

    target: str = "default"
    postback: str | None = None
    ship_all_remaining: bool = False
    carrier_codes: dict[str, str] = field(default_factory=dict)


class Refused(Exception):
    """The message fails validation; ``lines`` is the order as it stands (for the result)."""

    def __init__(self, message: str, lines: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.lines = lines or []


@dataclass
class Outcome:
    result: str
    message: str
    status: str | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    shipments: list[tuple[int, ledger.NewShipment]] = field(default_factory=list)
    document: dict[str, Any] | None = None


def apply(store: Store, record: Record, options: Options) -> tuple[list[Record], bool]:
    """The result record (and postbacks) for one message record; the flag says whether it succeeded."""
    try:
        message = parse(record["body"], record.get("type", "application/json"))
    except BadMessage as exc:
        body = _body(exc.seq, exc.order, Outcome("failure", str(exc)), options)
        if exc.order:
            _rejected(store, exc.order, exc.seq, str(exc), options)
        return [make_record("shipment-result", exc.order or record["key"], body, meta=_meta(record, options))], False
    try:
        with store.transaction():
            outcome = _apply(store, message, options)
    except Refused as exc:
        outcome = Outcome("failure", str(exc), lines=exc.lines)
        _rejected(store, message.order, message.message_seq, str(exc), options)
    meta = _meta(record, options)
    out = [make_record("shipment-result", message.order, _body(message.message_seq, message.order, outcome, options), meta=meta)]
    if options.postback and outcome.result == "success":
        from flowkit.import_shipment.postbacks import postback_record

        out += [
            postback_record(
                options.postback, message, sid, shipment, outcome.document, outcome.status, meta, options.carrier_codes
            )
            for sid, shipment in outcome.shipments
        ]
    return out, outcome.result != "failure"


def _rejected(store: Store, number: str, seq: int | None, reason: str, options: Options) -> None:
    """The refusal in the order's story (the message itself wrote nothing and may be resent)."""
    rejections.note(store, number, COMMAND, {"message_seq": seq, "target": options.target, "reason": reason})


def _meta(record: Record, options: Options) -> dict[str, Any]:
    return {**record.get("meta", {}), "target": options.target}


def _body(seq: int | None, order: str | None, outcome: Outcome, options: Options) -> dict[str, Any]:
    ids = [sid for sid, _ in outcome.shipments]
    return {
        "message_seq": seq,
        "order": order,
        "result": outcome.result,
        "message": outcome.message,
        "shipment_id": ids[0] if ids else None,
        "shipment_ids": ids,
        "status": outcome.status,
        "target": options.target,
        "remaining": [
            {
                "line_id": ln["line_id"],
                "sku": ln["sku"],
                "ordered": ln["quantity"],
                "shipped": ln["quantity_shipped"],
                "remaining": max(ln["quantity"] - ln["quantity_shipped"], 0),
            }
            for ln in outcome.lines
        ],
    }


def _apply(store: Store, message: Message, options: Options) -> Outcome:
    number, seq = message.order, message.message_seq
    if ledger.processed(store, options.target, seq) is not None:
        return Outcome("duplicate", DUPLICATE, lines=ledger.order_lines(store, number))
    row = ledger.order_row(store, number, document=options.postback is not None)
    if row is None:
        raise Refused(f'Order "{number}" does not exist.')
    lines = ledger.order_lines(store, number)
    _check_order(row, lines)
    plan = allocate(message, lines, ship_all=options.ship_all_remaining)
    recorded = _record(store, message, plan, options.target)
    shipped: dict[str, int] = defaultdict(int)
    for _, shipment in recorded:
        for lid, _, qty in shipment.lines:
            shipped[lid] += qty
    lines = [{**ln, "quantity_shipped": ln["quantity_shipped"] + shipped[ln["line_id"]]} for ln in lines]
    status = "shipped" if all(ln["quantity_shipped"] >= ln["quantity"] for ln in lines) else "partially_shipped"
    if row["status"] != status:
        ledger.set_status(store, number, status)
    ledger.mark_processed(store, options.target, seq, "success")
    store.add_event(
        store.conn,
        number,
        COMMAND,
        status,
        {
            "message_seq": seq,
            "target": options.target,
            "shipments": [
                {
                    "id": sid,
                    "source": s.source,
                    "lines": [[lid, sku, q] for lid, sku, q in s.lines],
                    "tracking": [code for code, _ in s.tracking],
                    "courier": s.courier,
                    "service": s.service,
                    "shipped_at": s.shipped_at,
                }
                for sid, s in recorded
            ],
        },
    )
    document = json.loads(row["document"]) if options.postback and row["document"] else None
    return Outcome("success", f"Shipment Successfully Created ({status}).", status, lines, recorded, document)


def _record(
    store: Store, message: Message, plan: dict[str, list[tuple[str, Any, int]]], target: str
) -> list[tuple[int, ledger.NewShipment]]:
    """One shipment per source, in source order."""
    recorded = []
    for source in sorted(plan):
        shipment = ledger.NewShipment(
            source=source,
            lines=plan[source],
            tracking=message.tracking,
            courier=message.courier,
            service=message.service,
            shipped_at=message.date_shipped,
            comment=message.comment,
            notify=message.notify,
        )
        recorded.append((ledger.record(store, message.order, target, message.message_seq, shipment), shipment))
    return recorded


def _check_order(row: dict[str, Any], lines: list[dict[str, Any]]) -> None:
    number = row["number"]
    if row["status"] == "cancelled" or row["export_status"] == "cancelled":
        raise Refused(f'Order "{number}" is cancelled.', lines)
    if row["export_status"] == "held" or row["status"] == "on_hold" or row["on_hold"] in (1, "1", "true"):
        reason = row["hold_reason"] or row["hold_note"]
        raise Refused(f'Order "{number}" is on hold' + (f": {reason}." if reason else "."), lines)
    if not lines:
        raise Refused(f'Order "{number}" has no lines to ship.', lines)
    if all(ln["quantity_shipped"] >= ln["quantity"] for ln in lines):
        raise Refused(f'Order "{number}" is already fully shipped.', lines)


def allocate(message: Message, lines: list[dict[str, Any]], *, ship_all: bool) -> dict[str, list[tuple[str, Any, int]]]:
    """Per source, the (line_id, sku, qty) to ship; ``Refused`` naming every problem when any."""
    left = {ln["line_id"]: max(ln["quantity"] - ln["quantity_shipped"], 0) for ln in lines}
    sku_of = {ln["line_id"]: ln["sku"] for ln in lines}
    if not message.lines:
        if not (ship_all or message.ship_all):
            raise Refused("Shipment has no lines (use --ship-all-remaining to ship everything that remains).", lines)
        return {"default": [(lid, sku_of[lid], n) for lid, n in left.items() if n > 0]}
    problems: list[str] = []
    wanted = _wanted(message, lines, left, problems)
    plan: dict[str, list[tuple[str, Any, int]]] = defaultdict(list)
    for (kind, ident), requests in wanted.items():
        candidates = [ident] if kind == "line" else [ln["line_id"] for ln in lines if ln["sku"] == ident]
        available = sum(left[lid] for lid in candidates)
        total = sum(qty for _, qty in requests)
        if total > available:
            label = f'SKU: "{ident}"' if kind == "sku" else f'Item ID: "{ident}"'
            problems.append(f"Quantity {total} for Order Item with {label} exceeds the {available} remaining to ship.")
            continue
        for source, qty in requests:
            for lid in candidates:
                take = min(qty, left[lid])
                if take:
                    plan[source].append((lid, sku_of[lid], take))
                    left[lid] -= take
                    qty -= take
    if problems:
        raise Refused(" ".join(problems), lines)
    if not plan:
        raise Refused("Nothing left to ship on the lines this message names.", lines)
    return {source: _merge(items) for source, items in plan.items()}


def _wanted(
    message: Message, lines: list[dict[str, Any]], left: dict[str, int], problems: list[str]
) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """The requested quantities keyed by ("sku", SKU) or ("line", line id), in message order."""
    skus = {ln["sku"] for ln in lines}
    wanted: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for line in message.lines:
        if line.line_id is not None and line.sku is None:
            if line.line_id not in left:
                problems.append(f'Order Item with ID: "{line.line_id}" does not exist.')
                continue
            key = ("line", line.line_id)
            qty = left[line.line_id] if line.qty is None else line.qty
        else:
            if line.sku not in skus:
                problems.append(f'Order Item with SKU: "{line.sku}" does not exist.')
                continue
            key, qty = ("sku", str(line.sku)), int(line.qty or 0)
        if qty > 0:
            wanted.setdefault(key, []).append((line.source, qty))
    return wanted


def _merge(items: list[tuple[str, Any, int]]) -> list[tuple[str, Any, int]]:
    totals: dict[str, list[Any]] = {}
    for lid, sku, qty in items:
        totals.setdefault(lid, [lid, sku, 0])[2] += qty
    return [(lid, sku, qty) for lid, sku, qty in totals.values()]
