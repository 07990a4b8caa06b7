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
from contextlib import AbstractContextManager, ExitStack, nullcontext
from typing import TYPE_CHECKING, Any, cast

from flowkit.push_stock.adjust import Calculator
from flowkit.push_stock.model import (
    MSG_DUPLICATE,
    MSG_SUCCESS,
    MSG_SUPERSEDED,
    MSG_UNCHANGED,
    Line,
    Message,
    Plain,
    body,
    parse_all,
    parse_plain,
)
from flowkit.records import JSON_TYPE, MARK, Record
from flowkit.store import stock

if TYPE_CHECKING:
    from flowkit.push_stock.send import Sender
    from flowkit.store import Store
    from flowkit.store.stock_defer import Deferred

Key = tuple[str, str]
# The spec messages cut at their placeholders, for f-strings in the hot loop.
SUCCESS = MSG_SUCCESS.split("{qty}")[0]
SUPERSEDED_1 = MSG_SUPERSEDED.split("{qty}")[0]
SUPERSEDED_2 = MSG_SUPERSEDED.split("{qty}")[1].split("{last_seq}")[0]
Decision = tuple[dict[str, Any], "stock.Applied | None"]


class Engine:
    """Decides messages for one target; with a ``sender`` the ledger waits for confirmation."""

    def __init__(
        self,
        store: Store,
        target: str,
        *,
        calc: Calculator | None = None,
        catalogue: frozenset[str] | None = None,
        snapshot: str | None = None,
        sender: Sender | None = None,
        default_source: str = "default",
        command: str = "push-stock",
        warn: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.store, self.target, self.calc = store, target, calc or Calculator()
        self.catalogue, self.snapshot, self.sender = catalogue, snapshot, sender
        self.default_source, self.command, self.warn = default_source, command, warn
        self.counts: Counter[str] = Counter()
        self._part_failed: dict[str, bool] = {}
        self._plain = self.calc.adjustment == "none" and not self.calc.allow_negative
        self._txn: ExitStack | None = None  # the open transaction of the messages decided since the last commit
        # On PostgreSQL without a sender: reads ahead and writes behind (store/stock_defer.py, ``defer``)
        self.deferred: Deferred | None = None

    def defer(self) -> None:
        """Read the ledger ahead and write each window behind on connections of their own (PostgreSQL only)."""
        if self.store.dialect == "postgresql" and self.sender is None and self.deferred is None:
            from flowkit.store.stock_defer import Deferred

            self.deferred = Deferred(self.store, self.target, command=self.command)

    def process(self, msg: Message) -> list[Record]:
        """The result records of ``msg`` decided and committed now (sent lines follow from the sender)."""
        try:
            return self.decide(msg)
        finally:
            self.commit()
            if self.deferred is not None:
                self.deferred.settle()

    def decide(self, msg: Message) -> list[Record]:
        """Decide ``msg`` in the open transaction (begun if none is); its result records.

        A message that fails undoes its own writes only. With a sender, once a chunk
        is full the transaction is committed and the chunk sent: its records follow.
        """
        self._begin()
        # deferred, a message queues its writes last, after all that can fail: nothing to undo in the store
        unit: AbstractContextManager[None] = nullcontext() if self.deferred else stock.savepoint(self.store)
        with unit:
            decisions = self._message(msg)
        out = self._results(msg, decisions)
        if self.sender is not None and len(self.sender.pending) >= self.sender.chunk_size:
            self.commit()
            out += self.sender.drain()
        return out

    def commit(self) -> None:
        """Commit the messages decided since the last commit (one transaction)."""
        txn, self._txn = self._txn, None
        if txn is not None:
            txn.close()
        if self.deferred is not None:
            self.deferred.handoff()

    def _begin(self) -> None:
        if self._txn is None and self.deferred is None:  # deferred: the writer connection opens the transactions
            txn = ExitStack()
            txn.enter_context(self.store.transaction())
            self._txn = txn

    def _results(self, msg: Message, decisions: list[Decision]) -> list[Record]:
        if self.sender is not None:
            self.sender.queue([(b, row) for b, row in decisions if row is not None], msg)
            decisions = [(b, row) for b, row in decisions if row is None]
        meta = {**msg.meta, "target": self.target}  # shared by the message's records, never mutated
        results = [b for b, _ in decisions]
        self.counts.update(b["result"] for b in results)
        for b in results:
            if b["result"] == "failure":
                self._warn_failure(b, msg)
        return [
            {
                "flowkit": MARK,
                "kind": "stock-result",
                "key": b["sku"] if type(b["sku"]) is str else msg.key,
                "type": JSON_TYPE,
                "meta": meta,
                "body": b,
            }
            for b in results
        ]

    def _message(self, msg: Message) -> list[Decision]:
        self.counts["messages"] += msg.final
        deferred = self.deferred
        if msg.message_seq is not None and self.snapshot != "full":
            if deferred is not None:
                at = deferred.processed(msg.lines, msg.message_seq)
            else:
                at = stock.message_processed(self.store, self.target, msg.message_seq)
            if at is not None:
                return self._replayed(msg, self._parse(msg), at)
        if self._plain and self.snapshot is None:
            parsed, top = parse_plain(msg.lines, default_source=self.default_source, catalogue=self.catalogue)
            view = self._view({(p[0], p[1]) for p in parsed if type(p) is tuple}, msg)
            decisions = _plain_decisions(msg, parsed, view, top, self.target)
        else:
            parsed_lines = self._parse(msg)
            view = self._view({(ln.sku, ln.source) for ln in parsed_lines if isinstance(ln, Line)}, msg)
            decisions = self._decide(msg, parsed_lines, view)
        outcome = Counter(b["result"] for b, _ in decisions)
        failed = self._part_failed.pop(msg.key, False) or outcome["failure"] > 0
        if not msg.final:
            self._part_failed[msg.key] = failed
        rows = [row for _, row in decisions if row is not None]
        if self.sender is not None:
            self.sender.register(msg, len(rows), failed)
        elif deferred is not None:
            deferred.apply(rows, view)
            if msg.final and msg.message_seq is not None and not failed:
                deferred.mark(msg.message_seq, dict(outcome))
        else:
            stock.apply(self.store, self.target, rows, command=self.command)
            if msg.final and msg.message_seq is not None and not failed:
                stock.mark_processed(self.store, self.target, msg.message_seq, dict(outcome))
        return decisions

    def resend(self, msg: Message) -> list[Record]:
        """Queue ledger rows (``--full`` without input) to be sent again as they stand."""
        assert self.sender is not None
        accepted = []
        for row in msg.lines:
            line = Line(
                row["sku"], row["source"], row["received"] if row["received"] is not None else row["qty"], row["last_seq"], None
            )
            calc = (0, 0, int(row["qty"]))
            result = body(line, None, None, self.target, "success", MSG_SUCCESS.format(qty=row["qty"]), calc)
            accepted.append((result, (line.sku, line.source, row["last_seq"], int(row["qty"]), line.qty, None)))
        self.sender.queue(accepted, msg)
        return []

    def _warn_failure(self, result: dict[str, Any], msg: Message) -> None:
        self.warn(f"{msg.where}: line sku {result['sku']!r} seq {result['seq']!r}: {result['message']}")

    def record(self, result: dict[str, Any], msg: Message, meta: dict[str, Any] | None = None) -> Record:
        """The stock-result record of one (sent or failed-to-send) line."""
        self.counts[result["result"]] += 1
        if result["result"] == "failure":
            self._warn_failure(result, msg)
        key = result["sku"] if isinstance(result["sku"], str) else msg.key
        return {
            "flowkit": MARK,
            "kind": "stock-result",
            "key": key,
            "type": JSON_TYPE,
            "meta": meta if meta is not None else {**msg.meta, "target": self.target},
            "body": result,
        }

    def _replayed(self, msg: Message, parsed: list[Line | str], at: str) -> list[Decision]:
        self.counts["duplicate_messages"] += 1
        self.warn(f"{msg.where}: message {msg.message_seq} already processed for target {self.target!r} at {at}: ignored")
        out: list[Decision] = []
        for raw, line in zip(msg.lines, parsed, strict=True):
            result = body(line if isinstance(line, Line) else None, raw, msg.message_seq, self.target, "duplicate", MSG_DUPLICATE)
            result["duplicate_message"] = True
            out.append((result, None))
        return out

    def _parse(self, msg: Message) -> list[Line | str]:
        return parse_all(msg.lines, default_source=self.default_source, need_seq=self.snapshot is None, catalogue=self.catalogue)

    def _view(self, keys: set[Key], msg: Message) -> dict[Key, stock.Entry]:
        """The ledger entries for these (sku, source) keys, read for this message alone (so memory
        stays bounded by the message, and the store's page cache is the one cache); overlaid with
        unconfirmed lines when sending. Reads inside the open transaction see its writes (deferred:
        the writes this run has not seen committed yet are overlaid)."""
        if self.deferred is not None:
            return self.deferred.view(msg.lines, keys)
        view = stock.ledger(self.store, self.target, {sku for sku, _ in keys})
        if self.sender is not None:
            for key, (seq, qty) in self.sender.overlay(keys).items():
                view[key] = (seq, qty, (view[key][2] + " " if key in view else "") + str(seq))
        return view

    def _decide(self, msg: Message, parsed: list[Line | str], view: dict[Key, stock.Entry]) -> list[Decision]:
        valid = [p for p in parsed if isinstance(p, Line)]
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
                out.append(self._one(msg, line, view, top, seen))
        return out

    def _one(
        self,
        msg: Message,
        line: Line,
        view: dict[Key, stock.Entry],
        top: dict[Key, int],
        seen: set[tuple[str, str, int]],
    ) -> Decision:
        key = (line.sku, line.source)
        last = view.get(key)
        calc = (0, 0, max(line.qty, 0)) if self._plain else self.calc.compute(self.store, line)
        qty = calc[2]
        if line.seq is None:  # a snapshot line: flowkit assigns the sequence itself
            if self.snapshot == "incremental" and last is not None and last[1] == qty:
                return body(
                    line, None, msg.message_seq, self.target, "unchanged", MSG_UNCHANGED.format(qty=qty), calc, seq=last[0]
                ), None
            line.seq = (last[0] if last else 0) + 1
        else:
            tag = (line.sku, line.source, line.seq)
            if tag in seen or (
                last is not None and (line.seq == last[0] or (line.seq < last[0] and stock.seen_before(last[2], line.seq)))
            ):
                return body(line, None, msg.message_seq, self.target, "duplicate", MSG_DUPLICATE, calc), None
            seen.add(tag)
            best = max(last[0] if last else -1, top.get(key, -1))
            if line.seq < best:
                text = MSG_SUPERSEDED.format(qty=qty, last_seq=best)
                return body(line, None, msg.message_seq, self.target, "superseded", text, calc), None
        view[key] = (line.seq, qty, (last[2] + " " if last else "") + str(line.seq))
        row = (line.sku, line.source, line.seq, qty, line.qty, msg.message_seq)
        return body(line, None, msg.message_seq, self.target, "success", MSG_SUCCESS.format(qty=qty), calc), row


def _plain_decisions(
    msg: Message, parsed: list[Plain | str], view: dict[Key, stock.Entry], top: dict[Key, int], target: str
) -> list[Decision]:
    """The rules of ``Engine._one`` for the common case (no adjustment, no snapshot), in one tight loop."""
    out: list[Decision] = []
    append, seen, mseq, seen_before = out.append, set(), msg.message_seq, stock.seen_before
    for raw, line in zip(msg.lines, parsed, strict=True):
        if type(line) is str:
            append((body(None, raw, mseq, target, "failure", line), None))
            continue
        sku, source, received, seq = cast(Plain, line)
        key, tag, qty = (sku, source), (sku, source, seq), received if received >= 0 else 0
        last = view.get(key)
        result = {
            "sku": sku,
            "source": source,
            "seq": seq,
            "message_seq": mseq,
            "target": target,
            "received": received,
            "adjusted_quotes": 0,
            "adjusted_unsent": 0,
            "qty": qty,
            "in_stock": qty > 0,
        }
        if tag in seen or (last is not None and (seq == last[0] or (seq < last[0] and seen_before(last[2], seq)))):
            result["result"], result["message"] = "duplicate", MSG_DUPLICATE
            append((result, None))
            continue
        seen.add(tag)
        best = top[key] if last is None or top[key] > last[0] else last[0]
        if seq < best:
            result["result"] = "superseded"
            result["message"] = f"{SUPERSEDED_1}{qty}{SUPERSEDED_2}{best}"
            append((result, None))
            continue
        view[key] = (seq, qty, (last[2] + " " if last else "") + str(seq))
        result["result"], result["message"] = "success", f"{SUCCESS}{qty}"
        append((result, (sku, source, seq, qty, received, mseq)))
    return out
