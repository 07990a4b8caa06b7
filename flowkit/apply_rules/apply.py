"""The per-record core of ``flowkit apply-rules``: order record in, order (+ alerts) out.

Holds and cancels are written to the state store (unless dry run); alerts
become ``alert`` records and, when a rule names a destination, are delivered
through the transport interface.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from flowkit.apply_rules import shape
from flowkit.apply_rules.actions import Alert, Outcome
from flowkit.apply_rules.engine import Engine
from flowkit.apply_rules.loader import RuleSet
from flowkit.apply_rules.refusal import RulesAt, refused
from flowkit.apply_rules.unreadable import Unreadable
from flowkit.config import Config
from flowkit.errors import RecordError
from flowkit.records import BadLine, Record, derive

if TYPE_CHECKING:
    from flowkit.store import Store
    from flowkit.store.rules import Decision, RulesView

COMMAND = "apply-rules"
YOUNG = 300_000  # objects a run may allocate (net) between two runs of the cyclic collector (see ``roomy_collector``)
Decide = Callable[[dict[str, Any], dict[str, Any], str, str, str | None], bytes]  # the order's JSON as the store keeps it
Say = Callable[[str], None]


class AlertSender:
    """Opens each alert destination once per run and delivers alert records to it."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.open: dict[str, Any] = {}

    def send(self, record: Record, to: str) -> dict[str, Any]:
        from flowkit.transports import destination, open_transport

        transport = self.open.get(to)
        if transport is None:
            spec = destination(self.config, to)
            transport = open_transport(spec, self.config)
            transport.open()
            self.open[to] = transport
        slug = re.sub(r"[^A-Za-z0-9]+", "-", record["body"]["rule"]).strip("-").lower() or "rule"
        name = f"alert-{record['key']}-{slug}.json"
        receipt = transport.put(name, orjson.dumps(record["body"], option=orjson.OPT_INDENT_2), record)
        return {"destination": to, "remote_ref": receipt.remote_ref}

    def close(self) -> None:
        for transport in self.open.values():
            transport.close()
        self.open.clear()


class Applier:
    """Callable for ``pipeline.run``: applies the engine and records decisions."""

    def __init__(
        self,
        engine: Engine,
        *,
        decide: Decide | None,
        sender: AlertSender | None,
        released: Callable[[str], bool],
        explain: Callable[[str], None] | None = None,
        drop_held: bool = False,
        alerts_to: Callable[[str], None] | None = None,
        share_body: bool = False,
    ) -> None:
        self.engine = engine
        self.decide = decide
        self.sender = sender
        self.released = released
        self.explain = explain
        self.drop_held = drop_held
        self.alerts_to = alerts_to
        self.share_body = share_body

    def __call__(self, record: Record) -> list[Record]:
        order = record["body"]
        try:  # the quick check stops at the first problem: the refusal names them all (``refusal``)
            if not isinstance(order, dict) or not isinstance(order.get("number"), (str, int)):
                raise Unreadable("$.number", "a canonical order (flowkit.order/1) needs a string or integer number")
            shape.check(order)
        except Unreadable as exc:
            raise refused(order, record["key"], exc) from None
        meta = record.setdefault("meta", {})
        hold_before = order.get("hold")
        engine = self.engine
        try:  # a lenient reader's refusal, or a shape a rule's ``set`` left: the rules that ran may be named
            out = engine.apply(order, meta)
            if engine.sets:
                shape.check(order, engine.sets)
        except Unreadable as exc:
            ran = RulesAt(engine.rules, engine.current.matched, engine.text, engine.path)
            raise refused(order, record["key"], exc, ran) from None
        if out.holds and out.cancel is None and self.released(str(order["number"])):
            order["hold"] = hold_before if hold_before is not None else {"on_hold": False, "reason": None, "until": None}
            out.explain.append("holds skipped: the order was released by an operator (flowkit state release)")
            out.holds = []
        alerts = [self._alert(record, out, alert) for alert in out.alerts]
        meta["rules"] = _summary(out, self.explain is not None)
        if self.explain is not None:
            for line in out.explain or ["no rule matched"]:
                self.explain(f"{order['number']}: {line}")
        if self.alerts_to is not None:  # raw mode: stdout carries the order document alone
            for alert in alerts:
                self.alerts_to(alert_line(alert))
            alerts = []
        kept = self._record(out, meta)  # last: a failure above leaves no decision queued for an order not written
        if self.drop_held and (out.cancel or out.holds):
            return alerts
        if kept is not None and self.share_body:
            record["body"] = orjson.Fragment(kept)  # written as the store keeps it, not encoded a second time
        return [record, *alerts]

    def _alert(self, record: Record, out: Outcome, alert: Alert) -> Record:
        body = {"rule": alert.rule, "order": str(out.order["number"]), "message": alert.message, "severity": alert.severity}
        result = derive(record, "alert", body)
        if alert.to is not None and self.sender is not None:
            try:
                result["meta"]["delivery"] = self.sender.send(result, alert.to)
            except RecordError as exc:
                raise RecordError(
                    f"alert of rule {alert.rule!r} to {alert.to!r} not delivered: {exc.format_message()}", code=exc.exit_code
                ) from exc
        return result

    def _record(self, out: Outcome, meta: dict[str, Any]) -> bytes | None:
        """Queue the order's hold or cancel for the store; returns its JSON as the store keeps it, when queued."""
        if self.decide is None:
            return None
        hold = out.order.get("hold")
        reason = hold.get("reason") if isinstance(hold, dict) else None  # an order held before may have none
        if out.cancel is not None:
            return self.decide(out.order, meta, "cancelled", out.cancel[1], out.cancel[0])
        if any(by == "check:duplicate" for by, _ in out.holds):
            duplicate = next(why for by, why in out.holds if by == "check:duplicate")
            return self.decide(out.order, meta, "duplicate", str(reason or duplicate), "check:duplicate")
        if out.holds:
            return self.decide(out.order, meta, "held", str(reason or out.holds[0][1]), out.holds[0][0])
        return None


def _summary(out: Outcome, explain: bool) -> dict[str, Any]:
    summary: dict[str, Any] = {"matched": out.matched}
    if out.holds:
        summary["holds"] = [{"by": by, "reason": reason} for by, reason in out.holds]
    if out.cancel is not None:
        summary["cancelled"] = {"by": out.cancel[0], "reason": out.cancel[1]}
    if explain:
        summary["explain"] = out.explain
    return summary


def alert_line(record: Record) -> str:
    """An alert as one stderr line (raw mode, where stdout holds only the order)."""
    body = record["body"]
    return f"alert [{body['severity']}] order {body['order']}: {body['message']} (rule {body['rule']!r})"


def build(
    rules_path: Path,
    config: Config,
    open_store: Callable[[], Store],
    *,
    explain: Say | None,
    dry_run: bool,
    drop_held: bool,
    alerts_to: Say | None,
    share_body: bool = False,
) -> tuple[Applier, AlertSender, StoreWindow]:
    """Load and compile the rules (exit 78 on any problem), then wire the store and transports.

    Returns the applier, the alert sender (to close) and the ``pipeline.Window`` that batches
    the state-store work per window of records. ``share_body``: the output is compact JSON
    records, so an order the store keeps is written with the JSON encoded for the store.
    """
    from flowkit.apply_rules import loader
    from flowkit.apply_rules.settings import Settings
    from flowkit.store import rules as rules_store

    ruleset = loader.load(rules_path)
    settings = Settings(ruleset, config)
    check_destinations(ruleset, config)
    store = open_store()
    view = rules_store.RulesView(store)
    sender = AlertSender(config)
    window = StoreWindow(store, view)
    engine = Engine(ruleset, settings, view, explain=explain is not None)
    applier = Applier(
        engine,
        decide=None if dry_run else window.decide,
        sender=sender,
        released=view.released,
        explain=explain,
        drop_held=drop_held,
        alerts_to=alerts_to,
        share_body=share_body,
    )
    return applier, sender, window


class StoreWindow:
    """``pipeline.Window`` for apply-rules: the state-store work of a window of records, batched.

    Before each few records, one query reads the stored rows of their order numbers (the
    duplicate check). Holds and cancels are queued, then one transaction records all queued
    (``commit``); after it, stock read before is forgotten if another process committed since.
    """

    lookahead = 16  # records whose stored rows one query reads
    commit_every = 256  # records whose holds and cancels one transaction records

    def __init__(self, store: Store, view: RulesView) -> None:
        from flowkit.store.orders import encode

        self.store = store
        self.view = view
        self.queued: list[Decision] = []
        self.encode = encode

    def prepare(self, items: list[Record | BadLine]) -> None:
        self.view.prefetch(
            [
                str(item["body"]["number"])
                for item in items
                if not isinstance(item, BadLine)
                and item["kind"] == "order"
                and isinstance(item["body"], dict)
                and isinstance(item["body"].get("number"), (str, int))
            ]
        )

    def decide(self, order: dict[str, Any], meta: dict[str, Any], status: str, reason: str, rule: str | None = None) -> bytes:
        """Queue a hold or cancel (and the rule or check behind it); the order's JSON is encoded here, once."""
        kept = self.encode(order)
        self.queued.append((order, status, reason, str(meta.get("source") or COMMAND), kept, rule))
        return kept

    def commit(self) -> None:
        from flowkit.store.rules import record_decisions

        record_decisions(self.store, self.queued, command=COMMAND)
        self.queued.clear()
        self.view.refresh()


def roomy_collector() -> AbstractContextManager[None]:
    """The collector's young generation larger than a window of held orders, for the run (``flowkit.collector``)."""
    from flowkit.collector import roomy_collector as roomy

    return roomy(YOUNG)


def check_destinations(ruleset: RuleSet, config: Config) -> None:
    """Every alert destination must exist and have a known type before any input is read."""
    from flowkit.transports import destination, open_transport

    for rule in ruleset.rules:
        for _, action in rule.actions:
            to = getattr(action, "to", None)
            if to is not None:
                open_transport(destination(config, to), config)
