"""Apply one production status message to the state store, in order, all or nothing.

Each message is one transaction: dedupe by (kind ``status``, target,
``message_seq``); refuse an unknown order or line (a failure writes nothing
and can be resent); then, for the whole order or for each line the message
names, compare it with what was applied before (``stale``). A status is
applied where it is news, and the message is stale where it is not: the
store's rows advance, the message id is marked processed and the order's
story gets one event named after the outcome. A failure is not marked
processed; its one trace is a ``rejected`` event on a known order's story
(``store.rejections``), so a corrected resend is applied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flowkit.import_shipment.errors import BadMessage
from flowkit.import_status.messages import CANCELLED, STAGES, Message, parse
from flowkit.records import Record, make_record
from flowkit.store import Store, rejections
from flowkit.store import shipments as orders_ledger
from flowkit.store import statuses as ledger

COMMAND = "import-status"
DUPLICATE = "Duplicate Status Message Ignored."
# The order's own status (from its source, or import-shipment's) as a stage a production status may not undo.
ORDER_STAGES = {"in_production": 2, "printed": 3, "shipped": 4, "delivered": 5, "cancelled": CANCELLED}


@dataclass(frozen=True)
class Options:
    """How messages are applied and what is written for each."""

    target: str = "default"
    postback: str | None = None
    magento_statuses: dict[str, str] = field(default_factory=dict)


class Refused(Exception):
    """The message names an order or line the store does not know: a failure that writes nothing but its story line."""


@dataclass
class Outcome:
    result: str  # success | duplicate | stale | ignored | failure
    message: str
    applied: list[str] = field(default_factory=list)  # the line ids applied to (empty: the whole order, or none)
    stale: list[str] = field(default_factory=list)  # the line ids the message was stale for
    lines: list[dict[str, Any]] = field(default_factory=list)  # the order's lines (line_id, sku, quantity)
    document: dict[str, Any] | None = None


def apply(store: Store, record: Record, options: Options) -> tuple[list[Record], bool]:
    """The result record (and a postback) for one message record; the flag says whether it did not fail."""
    meta = {**record.get("meta", {}), "target": options.target}
    try:
        message = parse(record["body"])
    except BadMessage as exc:
        body = _body(None, exc.seq, exc.order, Outcome("failure", str(exc)), options)
        if exc.order:
            _rejected(store, exc.order, exc.seq, str(exc), options)
        return [make_record("status-result", exc.order or record["key"], body, meta=meta)], False
    try:
        with store.transaction():
            outcome = _apply(store, message, options)
    except Refused as exc:
        outcome = Outcome("failure", str(exc))
        _rejected(store, message.order, message.message_seq, str(exc), options)
    out = [
        make_record(
            "status-result", message.order, _body(message, message.message_seq, message.order, outcome, options), meta=meta
        )
    ]
    if options.postback and outcome.result == "success":
        from flowkit.import_status.postbacks import Applied, postback_record

        applied = Applied(message, outcome.applied, outcome.lines, outcome.document, options.target, options.magento_statuses)
        posted = postback_record(options.postback, applied, meta)
        if posted is None:
            out[0]["body"]["message"] += f" No {options.postback} postback: that form has no status {message.status}."
        else:
            out.append(posted)
    return out, outcome.result != "failure"


def _rejected(store: Store, number: str, seq: int | None, reason: str, options: Options) -> None:
    """The refusal in the order's story, as import-shipment's (not for an unknown order: that writes nothing)."""
    rejections.note(store, number, COMMAND, {"message_seq": seq, "target": options.target, "reason": reason})


def _body(message: Message | None, seq: int | None, order: str | None, outcome: Outcome, options: Options) -> dict[str, Any]:
    return {
        "message_seq": seq,
        "message_id": message.message_id if message else None,
        "order": order,
        "status": message.status if message else None,
        "sent_status": message.sent_status if message else None,
        "at": message.at if message else None,
        "result": outcome.result,
        "message": outcome.message,
        "items": outcome.applied,
        "stale_items": outcome.stale,
        "target": options.target,
    }


def _apply(store: Store, message: Message, options: Options) -> Outcome:
    number, seq, target = message.order, message.message_seq, options.target
    detail: dict[str, Any] = {"message_seq": seq, "target": target, "status": message.status, "at": message.at}
    if ledger.processed(store, target, seq) is not None:
        store.add_event(store.conn, number, COMMAND, "duplicate", detail)
        return Outcome("duplicate", DUPLICATE)
    row = orders_ledger.order_row(store, number, document=options.postback is not None)
    if row is None:
        raise Refused(f'Order "{number}" does not exist.')
    lines = orders_ledger.order_lines(store, number)
    known = {ln["line_id"] for ln in lines}
    unknown = [item for item in message.items if item not in known]
    if unknown:
        raise Refused(" ".join(f'Order Item with ID: "{item}" does not exist.' for item in unknown))
    if message.status is None:
        ledger.mark_processed(store, target, seq, "ignored")
        store.add_event(store.conn, number, COMMAND, "ignored", {**detail, "sent_status": message.sent_status})
        return Outcome("ignored", f"Status {message.sent_status!r} is not a production status: nothing to post.")
    rows = ledger.current(store, number)
    floor = ORDER_STAGES.get(str(row["status"] or ""), 0)
    if row["export_status"] == "cancelled":
        floor = CANCELLED
    scopes = message.items or [ledger.ORDER]
    reasons = {scope: stale(message, _standing(rows, scope, floor)) for scope in scopes}
    fresh = [scope for scope in scopes if reasons[scope] is None]
    stale_items = [scope for scope in scopes if reasons[scope] is not None and scope != ledger.ORDER]
    if not fresh:
        reason = next(r for r in reasons.values() if r is not None)
        text = f'Status {message.status} for order "{number}" not posted: {reason}.'
        ledger.mark_processed(store, target, seq, "stale")
        store.add_event(store.conn, number, COMMAND, "stale", {**detail, "items": message.items, "reason": reason})
        return Outcome("stale", text, stale=stale_items)
    ordered = {ln["line_id"]: ln["quantity"] for ln in lines}
    for scope in fresh:
        stage = STAGES[message.status]
        if stage == CANCELLED and message.quantities.get(scope, ordered.get(scope, 0)) < ordered.get(scope, 0):
            stage = 0  # a partial cancel (some units of the line): the line goes on with the rest
        ledger.advance(store, number, scope, message.status, stage, message.at, target, seq)
    ledger.mark_processed(store, target, seq, "success")
    applied = [scope for scope in fresh if scope != ledger.ORDER]
    extra = {
        "items": applied,
        "quantities": {item: qty for item, qty in message.quantities.items() if item in applied},
        "stale_items": stale_items,
        "message": message.message,
        "tracking": [code for code, _ in message.tracking],
    }
    store.add_event(store.conn, number, COMMAND, message.status, {**detail, **{k: v for k, v in extra.items() if v}})
    document = json.loads(row["document"]) if options.postback and row["document"] else None
    text = f"Status {message.status} applied" + (f" to {', '.join(applied)}" if applied else "") + "."
    return Outcome("success", text, applied, stale_items, lines, document)


@dataclass
class Standing:
    """What was applied before to one scope: the furthest stage, the newest time, the last status."""

    stage: int
    at: str | None
    status: str | None


def _standing(rows: dict[str, dict[str, Any]], scope: str, floor: int) -> Standing:
    """A line stands where its own row and the whole order's row put it, and never below the order's own status."""
    mine = [rows[key] for key in dict.fromkeys((scope, ledger.ORDER)) if key in rows]
    times = [r["at"] for r in mine if r["at"]]
    last = max(mine, key=lambda r: (r["stage"], r["at"] or ""), default=None)
    stage = max([floor, *(r["stage"] for r in mine)])
    status = last["status"] if last is not None and last["stage"] >= floor else _name(floor)
    return Standing(stage, max(times, default=None), status)


def _name(stage: int) -> str | None:
    return next((name for name, value in STAGES.items() if value == stage and value), None)


def stale(message: Message, standing: Standing) -> str | None:
    """Why ``message`` is stale for a scope (None when it is news).

    Stale: anything after ``cancelled``; a time older than the newest applied;
    a stage behind the furthest reached (``error`` is never behind); the same
    status again without a newer time.
    """
    status = str(message.status)
    if standing.stage >= CANCELLED:
        return "the order is already cancelled" if status == "cancelled" else "the order is cancelled"
    if message.at and standing.at and message.at < standing.at:
        return f"older than the status already applied ({standing.status} at {standing.at})"
    if STAGES[status] and STAGES[status] < standing.stage:
        return f"the order is already {_name(standing.stage)}"
    if status == standing.status and not (message.at and standing.at and message.at > standing.at):
        return f"the order is already {status}"
    return None
