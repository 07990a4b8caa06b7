"""Outgoing stock messages: chunks with fresh increasing message_seq, ledger advanced on confirmation.

Each chunk is first written to the outbox (status ``sending``) with its lines,
then put through the transport; only the transport's receipt moves it to
``confirmed`` and advances the ledger, in one transaction. A run killed
between the two leaves a ``sending`` chunk that the next run settles first:
already at the destination (same name and size) -> confirmed; else sent again
with the same message_seq.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from flowkit.errors import RecordError
from flowkit.push_stock.model import Message
from flowkit.records import JSON_TYPE, XML_TYPE, Record, make_record
from flowkit.store import stock

if TYPE_CHECKING:
    from flowkit.store import Store
    from flowkit.transports.base import Transport

# (result body, ledger row, message meta, message_seq of the incoming message)
Pending = tuple[dict[str, Any], stock.Applied, dict[str, Any], int | None]


def encode(fmt: str, target: str, message_seq: int, lines: list[dict[str, Any]]) -> tuple[str, bytes]:
    """(file name, bytes) of one outgoing message."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", target)
    if fmt == "soap":
        from flowkit.push_stock import soap

        return f"stock-{safe}-{message_seq:08d}.xml", soap.render(message_seq, lines)
    data = orjson.dumps({"message_seq": message_seq, "target": target, "lines": lines}) + b"\n"
    return f"stock-{safe}-{message_seq:08d}.json", data


class Sender:
    """Buffers accepted lines and sends them in chunks through one open transport."""

    def __init__(
        self,
        store: Store,
        target: str,
        transport: Transport,
        *,
        fmt: str = "json",
        chunk_size: int = 100,
        command: str = "push-stock",
        emit: Callable[[dict[str, Any], dict[str, Any]], Record] | None = None,
    ) -> None:
        self.store, self.target, self.transport, self.fmt = store, target, transport, fmt
        self.chunk_size, self.command = chunk_size, command
        self.emit = emit or (lambda b, m: make_record("stock-result", str(b["sku"]), b, meta=m))
        self.pending: list[Pending] = []
        self._overlay: dict[tuple[str, str], tuple[int, int]] = {}
        self._waiting: dict[int, int] = {}
        self._blocked: set[int] = set()
        self._final: set[int] = set()
        self.sent = self.failed = self.failed_lines = 0
        self.error_codes: list[int] = []

    def overlay(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
        """Accepted but unconfirmed figures of these (sku, source) keys, so later lines are decided against them."""
        return {k: v for k, v in self._overlay.items() if k in keys}

    def register(self, msg: Message, accepted: int, failed: bool) -> None:
        """Track an incoming message; it is marked processed once all its lines are confirmed."""
        if msg.message_seq is None:
            return
        seq = msg.message_seq
        self._waiting[seq] = self._waiting.get(seq, 0) + accepted
        if failed:
            self._blocked.add(seq)
        if msg.final:
            self._final.add(seq)
        self._mark([seq])

    def _mark(self, seqs: Sequence[int | None]) -> None:
        for seq in set(seqs):
            if seq in self._final and not self._waiting.get(seq) and seq not in self._blocked:
                stock.mark_processed(self.store, self.target, seq, {"sent": 1})
                self._final.discard(seq)

    def queue(self, accepted: Sequence[tuple[dict[str, Any], stock.Applied | None]], msg: Message) -> None:
        for result, row in accepted:
            assert row is not None
            self.pending.append((result, row, {**msg.meta, "target": self.target}, msg.message_seq))
            self._overlay[(row[0], row[1])] = (row[2], row[3])

    def drain(self, *, final: bool = False) -> list[Record]:
        """Send every full chunk (and, when ``final``, the rest); their result records."""
        out: list[Record] = []
        while len(self.pending) >= self.chunk_size or (final and self.pending):
            chunk, self.pending = self.pending[: self.chunk_size], self.pending[self.chunk_size :]
            out += self._send(chunk)
        return out

    def _put(self, message_seq: int, lines: list[dict[str, Any]]) -> str:
        name, data = encode(self.fmt, self.target, message_seq, lines)
        record = make_record(
            "payload",
            str(message_seq),
            data.decode("utf-8"),
            type=XML_TYPE if self.fmt == "soap" else JSON_TYPE,
            meta={"filename": name, "format": self.fmt, "message_seq": message_seq, "target": self.target},
        )
        if self.fmt != "soap":
            record["body"] = orjson.loads(data)
        return self.transport.put(name, data, record).remote_ref

    def _send(self, chunk: list[Pending]) -> list[Record]:
        lines = [{"sku": r[0], "source": r[1], "seq": r[2], "qty": r[3]} for _, r, _, _ in chunk]
        with self.store.transaction():
            message_seq = stock.next_message_seq(self.store, self.target)
            name, data = encode(self.fmt, self.target, message_seq, lines)
            stock.outbox_intent(self.store, self.target, message_seq, name, lines, len(data))
        try:
            ref = self._put(message_seq, lines)
        except RecordError as exc:
            return self._failed(chunk, message_seq, exc)
        with self.store.transaction():
            stock.outbox_set(self.store, self.target, message_seq, "confirmed", remote_ref=ref)
            stock.apply(self.store, self.target, [r for _, r, _, _ in chunk], command=self.command)
            for _, _, _, seq in chunk:
                if seq is not None:
                    self._waiting[seq] -= 1
            self._mark([seq for _, _, _, seq in chunk])
        self.sent += 1
        out = []
        for result, row, meta, _ in chunk:
            if self._overlay.get((row[0], row[1])) == (row[2], row[3]):
                del self._overlay[(row[0], row[1])]
            out.append(self.emit({**result, "sent_message_seq": message_seq}, meta))
        return out

    def _failed(self, chunk: list[Pending], message_seq: int, exc: RecordError) -> list[Record]:
        with self.store.transaction():
            stock.outbox_set(self.store, self.target, message_seq, "failed", error=exc.format_message())
        self.failed += 1
        self.failed_lines += len(chunk)
        self.error_codes.append(exc.exit_code)
        out = []
        for result, row, meta, seq in chunk:
            if seq is not None:
                self._blocked.add(seq)
            if self._overlay.get((row[0], row[1])) == (row[2], row[3]):
                del self._overlay[(row[0], row[1])]
            text = f"not sent (message {message_seq}): {exc.format_message()}"
            out.append(self.emit({**result, "result": "failure", "message": text}, meta))
        return out

    def recover(self) -> int:
        """Settle chunks a killed run left unconfirmed; returns how many were settled."""
        with self.store.transaction():
            stale = stock.outbox_unconfirmed(self.store, self.target)
        for item in stale:
            lines = item["lines"]
            name, _ = encode(self.fmt, self.target, item["message_seq"], lines)
            there = self.transport.exists(item["filename"], item["size"]) if name == item["filename"] else None
            ref = item["filename"] if there else self._put(item["message_seq"], lines)
            rows = [(ln["sku"], ln["source"], ln["seq"], ln["qty"], ln["qty"], None) for ln in lines]
            with self.store.transaction():
                stock.outbox_set(self.store, self.target, item["message_seq"], "confirmed", remote_ref=ref)
                stock.apply(self.store, self.target, rows, command=self.command)
        return len(stale)
