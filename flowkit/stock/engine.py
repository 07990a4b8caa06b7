"""Decide each stock line against the target's ledger, one transaction per message.

Order of the checks for a valid line (key = target, sku, source):
duplicate (this seq was applied before, or already seen in this message),
superseded (the ledger or another line of this message has a higher seq),
else apply. Invalid lines fail without touching the ledger. A message is
marked processed (kind ``stock``) only when none of its lines failed, so a
resend can still apply what failed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flowkit.records import JSON_TYPE, MARK, Record
from flowkit.stock.adjust import Calculator
from flowkit.stock.model import (
    MSG_DUPLICATE, MSG_SUCCESS, MSG_SUPERSEDED, MSG_UNCHANGED, Line, Message, body, parse_line,
)
from flowkit.store import stock

if TYPE_CHECKING:
    import sqlite3

    from flowkit.stock.send import Sender
    from flowkit.store import Store

Key = tuple[str, str]
Decision = tuple[dict[str, Any], "stock.Applied | None"]


class Engine:
    """Decides messages for one target; with a ``sender`` the ledger waits for confirmation."""

    def __init__(self, store: Store, target: str, *, calc: Calculator | None = None,
                 catalogue: frozenset[str] | None = None, snapshot: str | None = None,
                 sender: Sender | None = None, default_source: str = "default",
                 command: str = "push-stock", warn: Callable[[str], None] = lambda _m: None) -> None:
        self.store, self.target, self.calc = store, target, calc or Calculator()
        self.catalogue, self.snapshot, self.sender = catalogue, snapshot, sender
        self.default_source, self.command, self.warn = default_source, command, warn
        self.counts: Counter[str] = Counter()
        self._part_failed: dict[str, bool] = {}

    def process(self, msg: Message) -> list[Record]:
        """The result records of ``msg`` decided now (sent lines follow from the sender)."""
        parsed = [parse_line(raw, default_source=self.default_source, need_seq=self.snapshot is None,
                             catalogue=self.catalogue) for raw in msg.lines]
        self.counts["messages"] += msg.final
        with self.store.transaction() as conn:
            if msg.message_seq is not None and self.snapshot != "full":
                at = stock.message_processed(conn, self.target, msg.message_seq)
                if at is not None:
                    return self._replayed(msg, parsed, at)
            decisions = self._decide(conn, msg, parsed)
            failed = self._part_failed.pop(msg.key, False) or any(b["result"] == "failure" for b, _ in decisions)
            if not msg.final:
                self._part_failed[msg.key] = failed
            accepted = [(b, row) for b, row in decisions if row is not None]
            if self.sender is not None:
                self.sender.register(conn, msg, len(accepted), failed)
            else:
                stock.apply(self.store, conn, self.target, [row for _, row in accepted], command=self.command)
                if msg.final and msg.message_seq is not None and not failed:
                    stock.mark_processed(conn, self.target, msg.message_seq, dict(Counter(
                        b["result"] for b, _ in decisions)))
        if self.sender is not None:
            self.sender.queue(accepted, msg)
            decisions = [(b, row) for b, row in decisions if row is None]
        return [self.record(b, msg) for b, _ in decisions]

    def resend(self, msg: Message) -> list[Record]:
        """Queue ledger rows (``--full`` without input) to be sent again as they stand."""
        assert self.sender is not None
        accepted = []
        for row in msg.lines:
            line = Line(row["sku"], row["source"], row["received"] if row["received"] is not None else row["qty"],
                        row["last_seq"], None)
            calc = (0, 0, int(row["qty"]))
            result = body(line, None, None, self.target, "success", MSG_SUCCESS.format(qty=row["qty"]), calc)
            accepted.append((result, (line.sku, line.source, row["last_seq"], int(row["qty"]), line.qty, None)))
        self.sender.queue(accepted, msg)
        return []

    def record(self, result: dict[str, Any], msg: Message) -> Record:
        self.counts[result["result"]] += 1
        if result["result"] == "failure":
            self.warn(f"{msg.where}: line sku {result['sku']!r} seq {result['seq']!r}: {result['message']}")
        key = result["sku"] if isinstance(result["sku"], str) else msg.key
        return {"flowkit": MARK, "kind": "stock-result", "key": key, "type": JSON_TYPE,
                "meta": {**msg.meta, "target": self.target}, "body": result}

    def _replayed(self, msg: Message, parsed: list[Line | str], at: str) -> list[Record]:
        self.counts["duplicate_messages"] += 1
        self.warn(f"{msg.where}: message {msg.message_seq} already processed for target "
                  f"{self.target!r} at {at}: ignored")
        out = []
        for raw, line in zip(msg.lines, parsed, strict=True):
            result = body(line if isinstance(line, Line) else None, raw, msg.message_seq, self.target,
                          "duplicate", MSG_DUPLICATE)
            result["duplicate_message"] = True
            out.append(self.record(result, msg))
        return out

    def _decide(self, conn: sqlite3.Connection, msg: Message, parsed: list[Line | str]) -> list[Decision]:
        valid = [p for p in parsed if isinstance(p, Line)]
        view = stock.ledger(conn, self.target, {ln.sku for ln in valid})
        if self.sender is not None:
            view.update(self.sender.overlay(valid))
        older = {ln.sku for ln in valid if ln.seq is not None and ln.seq < view.get((ln.sku, ln.source), (-1, 0))[0]}
        history = stock.applied_seqs(conn, self.target, older) if older else set()
        top: dict[Key, int] = {}
        for ln in valid:
            if ln.seq is not None and ln.seq > top.get((ln.sku, ln.source), -1):
                top[(ln.sku, ln.source)] = ln.seq
        seen: set[tuple[str, str, int]] = set()
        out: list[Decision] = []
        for raw, line in zip(msg.lines, parsed, strict=True):
            if isinstance(line, str):
                out.append((body(None, raw, msg.message_seq, self.target, "failure", line), None))
            else:
                out.append(self._one(conn, msg, line, view, history, top, seen))
        return out

    def _one(self, conn: sqlite3.Connection, msg: Message, line: Line, view: dict[Key, tuple[int, int]],
             history: set[tuple[str, str, int]], top: dict[Key, int],
             seen: set[tuple[str, str, int]]) -> Decision:
        key = (line.sku, line.source)
        last = view.get(key)
        calc = self.calc.compute(conn, line)
        qty = calc[2]
        if line.seq is None:  # a snapshot line: flowkit assigns the sequence itself
            if self.snapshot == "incremental" and last is not None and last[1] == qty:
                return body(line, None, msg.message_seq, self.target, "unchanged", MSG_UNCHANGED.format(qty=qty),
                            calc, seq=last[0]), None
            line.seq = (last[0] if last else 0) + 1
        else:
            tag = (line.sku, line.source, line.seq)
            if tag in seen or (last is not None and line.seq == last[0]) or tag in history:
                return body(line, None, msg.message_seq, self.target, "duplicate", MSG_DUPLICATE, calc), None
            seen.add(tag)
            best = max(last[0] if last else -1, top.get(key, -1))
            if line.seq < best:
                text = MSG_SUPERSEDED.format(qty=qty, last_seq=best)
                return body(line, None, msg.message_seq, self.target, "superseded", text, calc), None
        view[key] = (line.seq, qty)
        row = (line.sku, line.source, line.seq, qty, line.qty, msg.message_seq)
        return body(line, None, msg.message_seq, self.target, "success", MSG_SUCCESS.format(qty=qty), calc), row
