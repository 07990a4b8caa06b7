"""push-stock's ledger on PostgreSQL: rows read ahead on one connection, windows written behind on another.

On sqlite push-stock reads and writes the ledger in its window's transaction.
On PostgreSQL the server works beside the client, so while push-stock decides
a message:

- the ledger rows and the processed marks of the next messages are read on a
  reader connection (``prefetch``: one query per ``CHUNK`` messages, while the
  chunk before is decided);
- the windows decided before are written on a writer connection (``handoff``:
  a transaction that takes the store's write lock, then one COPY of the rows
  as decided, one upsert of them folded per key, their events and the
  processed marks each in one INSERT, ``stock_pg._write_fresh``).

Decisions are those of sqlite's path. Only push-stock writes a target's ledger
rows and stock marks, and the command holds the target's named lock
(``push-stock-<target>``) for the whole run, across hosts: nothing else
changes them meanwhile. What this run decided and a read may not show yet is
laid over it: each window's entries and marks are kept (``_windows``) until
the writer committed the window and every read still to be used was started
after that commit. A write that fails stops the run: ``confirmed`` and
``settle`` raise it, no later window is written (each was decided on top of
it), and the caller writes the outputs of committed windows only.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from flowkit.store import postgres, stock_pg
from flowkit.store.db import now
from flowkit.store.location import PgUrl

if TYPE_CHECKING:
    from flowkit.store.db import Store

SWITCH = 0.0005  # seconds: the interpreter's thread switch interval while deferred (see __init__)
CHUNK = 12  # messages whose ledger rows are read in one query
BEHIND = 2  # windows handed to the writer and not committed yet, at most (the one being written, the next)
Key = tuple[str, str]
Entry = tuple[int, int, str]  # last_seq, qty, history
Read = tuple[dict[Key, Entry], dict[int, str]]  # a chunk's ledger entries, and which of its messages were processed when
# one round trip per chunk of messages: their SKUs' ledger rows, then (sku NULL) those of them processed before
_READ = """SELECT sku, source, last_seq, qty, history FROM stock_ledger
    WHERE target = %(target)s AND sku = ANY(%(skus)s::text[])
    UNION ALL SELECT NULL, NULL, message_seq, NULL, processed_at FROM processed_messages
    WHERE kind = 'stock' AND target = %(target)s AND message_seq = ANY(%(seqs)s::bigint[])"""


@dataclass
class _Chunk:
    """Messages read ahead whose ledger rows one query reads; ``seen``: the windows committed before it started."""

    skus: set[str] = field(default_factory=set)
    seqs: set[int] = field(default_factory=set)
    count: int = 0
    seen: int = 0
    future: Future[Read] | None = None


@dataclass
class _Ahead:
    """A message read ahead: its lines, SKUs, message seq and the chunk that reads them."""

    lines: list[Any]
    skus: frozenset[str]
    message_seq: int | None
    chunk: _Chunk


@dataclass
class _Window:
    """What a window decided, laid over reads that may not show it: entries after it, message seqs marked."""

    number: int
    entries: dict[Key, Entry] = field(default_factory=dict)
    marked: dict[int, str] = field(default_factory=dict)


class Deferred:
    """The ledger of one push-stock run on PostgreSQL (see the module docstring)."""

    depth = 2 * CHUNK  # messages to read ahead: one chunk read while the one before is decided

    def __init__(self, store: Store, target: str, *, command: str) -> None:
        self.store, self.target, self.command = store, target, command
        url, timeout = store.path, store.engine.busy_timeout
        assert isinstance(url, PgUrl)
        self._url = url
        self._reader = postgres.connect(url, timeout=timeout, application="flowkit push-stock reader")
        self._writer = postgres.connect(url, timeout=timeout, application="flowkit push-stock writer")
        self._writer.execute(f"SET lock_timeout = {int(timeout * 1000)}")
        for conn in (self._reader, self._writer):  # a parallel plan's workers would only add processes to this one's work
            conn.execute("SET max_parallel_workers_per_gather = 0")
        self._writer.execute(stock_pg.ROWS)
        self._writing = postgres.Connection(url, self._writer)  # its face for the write lock (it owns the session)
        # the reader and the writer mostly wait on the server, then need the GIL for a moment: at the
        # default 5 ms switch interval they waited longer for the GIL than for the server
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH)
        self._reads = ThreadPoolExecutor(1, "flowkit-stock-read")
        self._writes = ThreadPoolExecutor(1, "flowkit-stock-write")
        self._ahead: dict[int, _Ahead] = {}
        self._chunk: _Chunk | None = None  # the one gathering messages, not started yet
        self._windows: deque[_Window] = deque([_Window(1)])  # the last one is open
        self._rows: list[stock_pg.Row] = []  # the open window's
        self._marks: list[tuple[int, str, str]] = []  # message_seq, processed_at, result
        self._inflight: deque[Future[None]] = deque()
        self._failed: BaseException | None = None
        self.handed = 0  # windows handed to the writer
        self.written = 0  # of them, committed

    # reads -------------------------------------------------------------------------
    def prefetch(self, lines: Any, message_seq: int | None) -> None:
        """Add a message about to be decided to the chunk whose ledger rows are read next."""
        if type(lines) is not list:
            return
        skus = frozenset(ln["sku"] for ln in lines if type(ln) is dict and type(ln.get("sku")) is str)
        chunk = self._chunk = self._chunk or _Chunk()
        chunk.skus |= skus
        if type(message_seq) is int:
            chunk.seqs.add(message_seq)
        chunk.count += 1
        self._ahead[id(lines)] = _Ahead(lines, skus, message_seq, chunk)
        if chunk.count >= CHUNK:
            self._start(chunk)

    def _start(self, chunk: _Chunk) -> Future[Read]:
        if chunk.future is None:
            chunk.seen = self.confirmed()
            chunk.future = self._reads.submit(self._read, list(chunk.skus), list(chunk.seqs))
            if chunk is self._chunk:
                self._chunk = None
        return chunk.future

    def _read(self, skus: list[str], seqs: list[int]) -> Read:
        with self._reader.cursor() as cur:
            rows = cur.execute(_READ, {"target": self.target, "skus": skus, "seqs": seqs}).fetchall()
        processed = {row[2]: str(row[4]) for row in rows if row[0] is None} if seqs else {}
        return {(sku, source): (seq, qty, history) for sku, source, seq, qty, history in rows if sku is not None}, processed

    def _fetch(self, lines: list[Any], skus: frozenset[str], message_seq: int | None) -> Read:
        """The read of the chunk these lines are in, or a read of their own when it does not cover them."""
        ahead = self._ahead.get(id(lines))
        if ahead is not None and ahead.lines is lines and ahead.message_seq == message_seq and skus <= ahead.skus:
            return self._result(self._start(ahead.chunk))  # type: ignore[no-any-return]
        self.confirmed()
        seqs = [message_seq] if message_seq is not None else []
        return self._result(self._reads.submit(self._read, list(skus), seqs))  # type: ignore[no-any-return]

    def _result(self, future: Future[Any]) -> Any:
        try:
            return future.result()
        except Exception as exc:
            mapped = self.store.error(exc)
            if mapped is not None:
                raise mapped from exc
            raise

    def _done(self, lines: list[Any]) -> None:
        self._ahead.pop(id(lines), None)

    def processed(self, lines: list[Any], message_seq: int) -> str | None:
        """When message ``message_seq`` was processed for the target (None: never), this run's marks included."""
        for window in self._windows:
            if message_seq in window.marked:
                self._done(lines)
                return window.marked[message_seq]
        ahead = self._ahead.get(id(lines))
        at = self._fetch(lines, ahead.skus if ahead is not None else frozenset(), message_seq)[1].get(message_seq)
        if at is not None:
            self._done(lines)
        return at

    def view(self, lines: list[Any], keys: Iterable[Key]) -> dict[Key, Entry]:
        """The ledger entries of the SKUs of ``keys`` as sqlite's transaction would read them."""
        keys = set(keys)
        ahead = self._ahead.get(id(lines))
        read = self._fetch(lines, frozenset(sku for sku, _ in keys), ahead.message_seq if ahead is not None else None)[0]
        self._done(lines)
        found: dict[Key, Entry] = {key: read[key] for key in keys if key in read}
        for window in self._windows:  # oldest first: a later window's entry is the newer one
            entries = window.entries
            if entries:
                for key in keys:
                    if key in entries:
                        found[key] = entries[key]
        return found

    # writes ------------------------------------------------------------------------
    def apply(self, rows: Sequence[stock_pg.Row], view: dict[Key, Entry]) -> None:
        """Queue a message's applied rows for the window; ``view`` holds their keys' entries after them."""
        self._rows += rows
        entries, cut = self._windows[-1].entries, stock_pg.HISTORY_CHARS
        for row in rows:
            seq, qty, history = view[(row[0], row[1])]
            entries[(row[0], row[1])] = (seq, qty, history[-cut:])

    def mark(self, message_seq: int, result: dict[str, int]) -> None:
        at = self._windows[-1].marked[message_seq] = now()
        self._marks.append((message_seq, at, orjson.dumps(result, option=orjson.OPT_SORT_KEYS).decode()))

    def handoff(self) -> None:
        """Hand the open window's writes to the writer connection (windows are written in the order decided)."""
        if not self._rows and not self._marks:
            return
        rows, marks, self._rows, self._marks = self._rows, self._marks, [], []
        self._inflight.append(self._writes.submit(self._write, rows, marks, self.store.run_id))
        self.handed += 1
        while len(self._inflight) > BEHIND:  # a slow server holds the decisions back, not memory
            self._result(self._inflight[0])
            self._inflight.popleft()
            self.written += 1
        self._windows.append(_Window(self.handed + 1))
        self._forget()

    def _write(self, rows: list[stock_pg.Row], marks: list[tuple[int, str, str]], run_id: int | None) -> None:
        if self._failed is not None:  # decided on top of a window that was not written
            raise self._failed
        try:
            with self._writer.transaction(), self._writer.cursor() as cur:
                postgres.lock_for_writing(self._writing, self._url)
                stock_pg._write_fresh(cur, self.target, rows, stamp=now(), command=self.command, run_id=run_id, marks=marks)
        except BaseException as exc:
            self._failed = exc
            raise

    def _forget(self) -> None:
        """Drop the windows every read still to be used shows (committed before it started)."""
        floor = min([a.chunk.seen for a in self._ahead.values() if a.chunk.future is not None] + [self.written])
        while len(self._windows) > 1 and self._windows[0].number <= floor:
            self._windows.popleft()

    def confirmed(self) -> int:
        """How many handed windows are committed (raises the first write that failed)."""
        while self._inflight and self._inflight[0].done():
            self._result(self._inflight.popleft())
            self.written += 1
        return self.written

    def settle(self) -> None:
        """Wait until every handed window is committed (raises the first write that failed)."""
        while self._inflight:
            self._result(self._inflight[0])
            self._inflight.popleft()
            self.written += 1
        self._forget()

    def close(self) -> None:
        """Stop the reader and the writer (what was handed is still written) and close their connections."""
        try:
            self._reads.shutdown(wait=True, cancel_futures=True)
            self._writes.shutdown(wait=True)
            sys.setswitchinterval(self._switch)
        finally:
            for conn in (self._reader, self._writer):
                try:
                    conn.close()
                except Exception:
                    pass
