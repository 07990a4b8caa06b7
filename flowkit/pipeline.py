"""Run a command's per-record core over a record stream, isolating failures.

Records of kinds a command does not consume pass through unchanged. A record
whose processing raises ``RecordError`` yields an ``error`` record (record
mode) and a line on stderr; the others go on. ``finish`` turns the tally
into the documented exit code.

A command whose per-record core works against the state store passes a
``Window``. ``prepare`` then sees the next few records (``lookahead``) before
they are processed, for batched look-ups; ``commit`` commits the writes queued
since the last commit in one transaction, and only then are the outputs of
those records written, so a downstream step never sees a record whose
decision is not recorded. A commit comes every ``commit_every`` records, and
sooner when the input has nothing more to read yet (a slow producer never
waits on a full window). Outputs wait as encoded bytes. The look-ahead stays
small: records parsed long before they are processed have left the CPU cache
(256 read ahead ran 5-7% slower than 16 in bench/apply_rules.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import click

from flowkit.errors import ExitCode, FlowkitError, InputError, PartialError, RecordError
from flowkit.records import BadLine, Reader, Record, Writer, derive, make_record

log = logging.getLogger("flowkit")

Process = Callable[[Record], Iterable[Record]]


class Window(Protocol):
    """Batched state-store work around windows of records (see the module docstring)."""

    lookahead: int
    commit_every: int

    def prepare(self, items: list[Record | BadLine]) -> None: ...

    def commit(self) -> None: ...


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
    return derive(record, "error", body)


def report(where: str, message: str) -> None:
    """One line on stderr naming the failing record."""
    click.echo(f"flowkit: {where}: {message}", err=True)


def run(
    reader: Reader,
    writer: Writer,
    process: Process,
    *,
    consumes: Collection[str],
    command: str,
    window: Window | None = None,
    bad_lines: str | None = None,
) -> Tally:
    """Feed each consumed record to ``process`` and write what it yields (after ``commit``, with a window).

    With ``bad_lines`` (a kind), a malformed input line also yields an ``error`` record naming that kind.
    """
    tally = Tally()
    held: list[bytes] = []  # outputs waiting for the next commit, encoded
    encode = writer.encode

    flushing = False

    def flush() -> None:
        nonlocal flushing
        flushing = True
        if window is not None:
            window.commit()
        writer.put(held)
        held.clear()
        flushing = False

    def one(item: Record | BadLine) -> None:
        if isinstance(item, BadLine):
            if reader.mode == "raw":
                flush()
                raise InputError(str(item))
            report(item.where, item.message)
            tally.failed += 1
            tally.codes.append(int(ExitCode.DATAERR))
            if bad_lines is not None:
                body = {"error": str(item), "exit_code": int(ExitCode.DATAERR), "command": command, "kind": bad_lines}
                held.append(encode(make_record("error", item.key or item.where, body)))
        elif item["kind"] not in consumes:
            held.append(encode(item))
            tally.passed += 1
        else:
            try:
                outputs = list(process(item))
            except RecordError as exc:
                if reader.mode == "raw":
                    flush()
                    raise
                report(f"record {item['key']!r}", exc.format_message())
                held.append(encode(error_record(item, command, exc)))
                tally.failed += 1
                tally.codes.append(exc.exit_code)
                return
            held.extend(map(encode, outputs))
            tally.ok += 1

    if window is None:
        for item in reader:
            one(item)
            flush()
        return tally
    done = 0  # records since the last commit
    try:
        for items in _chunks(reader, window.lookahead):
            window.prepare(items)
            for item in items:
                one(item)
            done += len(items)
            if done >= window.commit_every or not reader.ready():
                flush()
                done = 0
    except BaseException:
        # A failure that stops the run (a store or destination down, Ctrl-C, a bug) keeps
        # what the records before it did: their writes are committed, their outputs written.
        # A commit that fails, or the write after it, is not tried again.
        if not flushing:
            try:
                flush()
            except Exception as exc:  # the first error is the one reported; say this one too
                log.warning("flowkit: the records before the error were not kept either: %s", exc)
        raise
    flush()
    return tally


def _chunks(reader: Reader, size: int) -> Iterator[list[Record | BadLine]]:
    """The input in lists of up to ``size`` items; a list ends early when the input is not ready."""
    items: list[Record | BadLine] = []
    for item in reader:
        items.append(item)
        if len(items) >= size or not reader.ready():
            yield items
            items = []
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
