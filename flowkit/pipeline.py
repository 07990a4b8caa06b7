"""The one record loop: every command runs its per-record core in ``run``, failures isolated.

Records of kinds a command does not consume pass through unchanged. A record
whose processing raises ``RecordError`` yields an ``error`` record (record
mode) and a line on stderr; the others go on. ``finish`` turns the tally
into the documented exit code. The input is a ``records.Reader``, or any
``Input`` of a command's own items (query-orders' fetched documents,
deliver's ledger rows for ``--retry-failed``) that ``process`` turns into records.

A command whose per-record core works against the state store passes a
``Window``. ``prepare`` then sees the next few items (``lookahead``) before
they are processed, for batched look-ups; ``commit`` commits the writes queued
since the last commit in one transaction, and only then are the outputs of
those records written, so a downstream step never sees a record whose
decision is not recorded. A commit comes every ``commit_every`` items, and
sooner when the input has nothing more to read yet (``Input.ready``: a slow
producer never waits on a full window). Outputs wait as encoded bytes. The
look-ahead stays small: records parsed long before they are processed have
left the CPU cache (256 read ahead ran 5-7% slower than 16 in bench/apply_rules.py).

A ``StagedWindow`` does the work itself at commit (deliver's sends, query-orders'
batch transaction): ``process`` returns a ``Pending`` that ``commit`` fills, and
its place among the outputs keeps the input order. ``closes(item)`` commits the
window before an item that may not join it (deliver: a repeated key); an item
that closes it and is not processed (pass-through, bad line) is written on its
own. A run stopped by an exception ``discard``s a staged window's open work
instead of committing it, and drops its held outputs.

The last line of defence: an unexpected exception (a bug, not a ``FlowkitError``)
inside one record's ``process`` or the encoding of its outputs fails that record
alone, as an ``InternalError`` (exit 70, "please report it", the traceback logged
at ``-vv``), and the stream goes on. Nothing of that record is written: its
outputs are encoded before any is held, and a window's ``process`` queues a
record's writes (apply-rules' decisions, deliver's staged payload) last, after
everything that can fail, so a record that raises has queued nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast, runtime_checkable

from flowkit.errors import ExitCode, FlowkitError, InputError, InternalError, PartialError, RecordError
from flowkit.log import LOG as log
from flowkit.problems import record_fields
from flowkit.records import BadLine, Record, Writer, derive, make_record

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Pending:
    """The outputs of ``record``, known only when its window commits: ``commit`` calls ``done`` or ``failed``."""

    __slots__ = ("error", "outputs", "record")

    def __init__(self, record: Record) -> None:
        self.record = record
        self.outputs: list[Record] | None = None
        self.error: RecordError | None = None

    def done(self, *outputs: Record) -> None:
        self.outputs = list(outputs)

    def failed(self, exc: RecordError, *outputs: Record) -> None:
        """The record failed (named on stderr, counted with ``exc``'s code); ``outputs`` replace its error record."""
        self.error = exc
        self.outputs = list(outputs)


Process = Callable[[T], Iterable[Record] | Pending]


class Input(Protocol[T_co]):
    """What ``run`` reads: ``records.Reader``, or a command's own items."""

    mode: str  # "raw" or "record", as ``Reader.mode``

    def __iter__(self) -> Iterator[T_co | BadLine]: ...

    def ready(self) -> bool:
        """Whether the next item can be had without waiting on a producer (see ``Reader.ready``)."""
        ...


class Window(Protocol[T]):
    """Batched state-store work around windows of items (see the module docstring)."""

    @property
    def lookahead(self) -> int: ...

    @property
    def commit_every(self) -> int: ...

    def prepare(self, items: list[T | BadLine]) -> None: ...

    def commit(self) -> None: ...


@runtime_checkable
class StagedWindow(Window[T], Protocol[T]):
    """A window whose work happens at ``commit`` (see the module docstring)."""

    def closes(self, item: T | BadLine) -> bool: ...

    def discard(self) -> None: ...


@dataclass
class Tally:
    """What happened to the records of one run."""

    ok: int = 0
    failed: int = 0
    passed: int = 0
    codes: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"ok": self.ok, "failed": self.failed, "passed": self.passed}


def error_record(record: Record, command: str, exc: FlowkitError) -> Record:
    """The error record that stands in for ``record`` downstream."""
    body = {"error": exc.format_message(), "exit_code": exc.exit_code, "command": command, "kind": record["kind"]}
    body.update(record_fields(getattr(exc, "problems", ()), getattr(exc, "problem_count", 0)))  # flowkit.problems
    return derive(record, "error", body)


_first_error: list[str] = []  # the first record error of this process's run, for the run log


def _sqlite_error(exc: Exception) -> bool:
    """Whether ``exc`` is a store's error (``sqlite3.Error``, ``psycopg.Error``); a run that never imported either has none."""
    return any(isinstance(exc, m.Error) for m in (sys.modules.get("sqlite3"), sys.modules.get("psycopg")) if m is not None)


def report(
    where: str, message: str, *, key: str | None = None, exit_code: int | None = None, problems: Sequence[tuple[str, str]] = ()
) -> None:
    """One line on stderr naming the failing record (the first one is kept for ``state runs``), its ``problems`` in JSON."""
    from flowkit import log as flog

    if not _first_error:
        from flowkit.secrets import redact_text

        _first_error.append(redact_text(f"{where}: {message}"))
    listed = record_fields(problems).get("problems") if problems and flog.is_json() else None
    flog.emit(f"flowkit: {where}: {message}", event="record-failed", level="error", key=key, exit_code=exit_code, problems=listed)


def first_error(reset: bool = False) -> str | None:
    """The first record error ``report`` printed in this process (and forget it with ``reset``)."""
    found = _first_error[0] if _first_error else None
    if reset:
        _first_error.clear()
    return found


def internal(item: Any, exc: Exception) -> InternalError:
    """The ``InternalError`` that stands for a bug met on ``item``; its traceback goes to the debug log (``-vv``)."""
    key = item.get("key") if isinstance(item, dict) else getattr(item, "key", None)
    log.debug("internal error on record %r", key, exc_info=exc)
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    if len(text) > 200:
        text = text[:199] + "…"
    return InternalError(f"internal error ({text}); please report it (run with -vv for the traceback)")


class _Loop:
    """The state of one ``run``: outputs held until the next commit, in input order, and the tally."""

    def __init__(
        self, reader: Input[Any], writer: Writer, command: str, window: Window[Any] | None, tally: Tally, bad_lines: str | None
    ) -> None:
        self.reader, self.writer, self.command, self.window = reader, writer, command, window
        self.tally, self.bad_lines = tally, bad_lines
        self.progress: Any = None  # flowkit.progress.Display on a terminal, updated at each commit
        self.held: list[bytes] = []  # outputs waiting for the next commit, encoded
        self.slots: list[tuple[int, Pending]] = []  # places in ``held`` that the commit fills
        self.flushing = False
        self.committing = False  # inside window.commit() (a failure there is the window's, not the write's)

    def flush(self) -> None:
        """Commit the window, then write the held outputs (pending ones filled by the commit) in order."""
        self.flushing = True
        if self.window is not None:
            self.committing = True
            self.window.commit()
            self.committing = False
        for index, slot in self.slots:
            self.held[index] = self.settle(slot)
        self.writer.put(self.held)
        self.held.clear()
        self.slots.clear()
        self.flushing = False
        if self.progress is not None:
            self.progress.update(self.tally.ok + self.tally.failed + self.tally.passed)

    def settle(self, slot: Pending) -> bytes:
        """A filled slot's outputs, encoded; a failure is named on stderr and counted."""
        if slot.outputs is None:
            raise RuntimeError(f"{self.command}: record {slot.record['key']!r} has no outcome after the commit")
        try:
            encoded = b"".join(map(self.writer.encode, slot.outputs))
        except Exception as exc:  # a bug: the record's outputs cannot be written; it fails alone (exit 70)
            slot.failed(internal(slot.record, exc))
            encoded = b""
        if slot.error is None:
            self.tally.ok += 1
        else:
            if not getattr(slot.error, "quiet", False):
                key, error = slot.record["key"], slot.error
                report(f"record {key!r}", error.format_message(), key=key, exit_code=error.exit_code, problems=error.problems)
            self.tally.failed += 1
            self.tally.codes.append(slot.error.exit_code)
            if not slot.outputs:
                return self.writer.encode(error_record(slot.record, self.command, slot.error))
        return encoded

    def drop(self) -> None:
        """A stopping failure: a staged window's open work is dropped, any other window kept (committed, written).

        A staged window that keeps its pass-through records (deliver's ``keeps_passed``) still
        writes them, in order, when its work is dropped or its commit failed: they were done.
        """
        staged = isinstance(self.window, StagedWindow)
        passed = staged and getattr(self.window, "keeps_passed", False)
        if self.flushing and not (passed and self.committing):  # a failed write is not tried again
            return
        try:
            if staged:
                if not self.flushing:
                    cast(StagedWindow[Any], self.window).discard()
                if passed:
                    pending = {index for index, _ in self.slots}
                    kept = [out for index, out in enumerate(self.held) if index not in pending and out]
                    self.held.clear()
                    self.slots.clear()
                    if kept:
                        self.writer.put(kept)
            else:
                self.flush()
        except Exception as exc:  # the first error is the one reported; say this one too
            log.warning("flowkit: the records before the error were not kept either: %s", exc)

    def bad(self, item: BadLine) -> None:
        if self.reader.mode == "raw":
            self.flush()
            raise InputError(str(item))
        report(item.where, item.message, key=item.key, exit_code=int(ExitCode.DATAERR), problems=item.problems)
        self.tally.failed += 1
        self.tally.codes.append(int(ExitCode.DATAERR))
        if self.bad_lines is not None:
            body = {"error": str(item), "exit_code": int(ExitCode.DATAERR), "command": self.command, "kind": self.bad_lines}
            body.update(record_fields(item.problems))
            self.held.append(self.writer.encode(make_record("error", item.key or item.where, body)))

    def failed(self, item: Any, exc: RecordError) -> None:
        if not isinstance(item, dict):  # an item that is not a record has no error record: the run stops
            raise exc
        if self.reader.mode == "raw":
            self.flush()
            raise exc
        report(f"record {item['key']!r}", exc.format_message(), key=item["key"], exit_code=exc.exit_code, problems=exc.problems)
        self.held.append(self.writer.encode(error_record(item, self.command, exc)))
        self.tally.failed += 1
        self.tally.codes.append(exc.exit_code)


def run(
    reader: Input[T],
    writer: Writer,
    process: Process[T],
    *,
    consumes: Collection[str] | None,
    command: str,
    window: Window[T] | None = None,
    bad_lines: str | None = None,
    tally: Tally | None = None,
) -> Tally:
    """Feed each consumed item to ``process`` and write what it yields (after ``commit``, with a window).

    ``consumes`` names the record kinds to process; None processes every item (items need not be records).
    With ``bad_lines`` (a kind), a malformed input line also yields an ``error`` record naming that kind.
    ``tally`` is the caller's, to count into (so it knows the counts even when the run stops).
    """
    loop = _Loop(reader, writer, command, window, Tally() if tally is None else tally, bad_lines)
    one = _feeder(loop, process, consumes)
    from flowkit import progress

    loop.progress = progress.for_run(command)
    try:
        if window is None:
            for item in reader:
                one(item)
                loop.flush()
            return loop.tally
        try:
            _windows(reader, window, one, loop.flush)
            loop.flush()  # the last window
        except BaseException:
            # A failure that stops the run (a store or destination down, Ctrl-C, a bug) keeps what
            # the records before it did: their writes are committed, their outputs written (a staged
            # window's work is not started on the way out).
            loop.drop()
            raise
        return loop.tally
    finally:
        if loop.progress is not None:
            loop.progress.close()


def _feeder(loop: _Loop, process: Process[T], consumes: Collection[str] | None) -> Callable[[T | BadLine], bool]:
    """``run``'s step for one item: process or pass it; True when it was processed (it joined the window)."""
    tally, held, slots, encode = loop.tally, loop.held, loop.slots, loop.writer.encode

    def one(item: T | BadLine) -> bool:
        if isinstance(item, BadLine):
            loop.bad(item)
            return False
        if consumes is not None and cast(Record, item)["kind"] not in consumes:
            held.append(encode(cast(Record, item)))
            tally.passed += 1
            return False
        try:
            outputs = process(item)
            if isinstance(outputs, Pending):
                slots.append((len(held), outputs))
                held.append(b"")
                return True
            encoded = [encode(output) for output in outputs]  # all or nothing of the record is held
        except RecordError as exc:
            loop.failed(item, exc)
            return True
        except FlowkitError:
            raise
        except Exception as exc:  # a bug: this record fails (exit 70), the stream goes on
            if _sqlite_error(exc):  # a sqlite error is the store's environment: it stops the run
                raise
            loop.failed(item, internal(item, exc))
            return True
        # one buffer per record: orjson hands each output a buffer of at least 4 KiB, so a record's
        # many small outputs (push-stock: one per stock line) held until the commit would cost 4 KiB each
        held.append(b"".join(encoded))
        tally.ok += 1
        return True

    return one


def _windows(reader: Input[T], window: Window[T], one: Callable[[T | BadLine], bool], flush: Callable[[], None]) -> None:
    """The windowed loop of ``run``: prepare each look-ahead, commit every ``commit_every`` items or on a stall."""
    staged = window if isinstance(window, StagedWindow) else None
    done = 0  # items since the last commit
    for items in _chunks(reader, window):
        window.prepare(items)
        for item in items:
            if staged is not None and staged.closes(item):
                flush()
                done = 0
                if not one(item):
                    flush()  # a pass-through or bad line that closed the window goes out on its own
                    continue
            else:
                one(item)
            done += 1
        if done >= window.commit_every or not reader.ready():
            flush()
            done = 0


def _chunks(reader: Input[T], window: Window[T]) -> Iterator[list[T | BadLine]]:
    """The input in lists of up to ``window.lookahead`` items; a list ends early when the input is not ready."""
    items: list[T | BadLine] = []
    size = window.lookahead
    for item in reader:
        items.append(item)
        if len(items) >= size or not reader.ready():
            yield items
            items = []
            size = window.lookahead
    if items:
        yield items


def finish(tally: Tally) -> None:
    """Raise the exit status a tally stands for (nothing when all went well)."""
    if not tally.failed:
        return
    codes = set(tally.codes)
    summary = f"{tally.failed} record(s) failed, {tally.ok} done"
    if codes == {int(ExitCode.TEMPFAIL)}:
        raise PartialError(summary + "; all failures are temporary, safe to rerun").with_code(ExitCode.TEMPFAIL)
    if tally.ok == 0 and len(codes) == 1:
        raise PartialError(summary).with_code(codes.pop())
    raise PartialError(summary)
