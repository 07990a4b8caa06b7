"""Run a command's per-record core over a record stream, isolating failures.

Records of kinds a command does not consume pass through unchanged. A record
whose processing raises ``RecordError`` yields an ``error`` record (record
mode) and a line on stderr; the others go on. ``finish`` turns the tally
into the documented exit code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import click

from flowkit.errors import ExitCode, FlowkitError, InputError, PartialError, RecordError
from flowkit.records import BadLine, Reader, Record, Writer, derive

log = logging.getLogger("flowkit")

Process = Callable[[Record], Iterable[Record]]


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
) -> Tally:
    """Feed each consumed record to ``process`` and write what it yields."""
    tally = Tally()
    for item in reader:
        if isinstance(item, BadLine):
            if reader.mode == "raw":
                raise InputError(str(item))
            report(item.where, item.message)
            tally.failed += 1
            tally.codes.append(int(ExitCode.DATAERR))
            continue
        if item["kind"] not in consumes:
            writer.write(item)
            tally.passed += 1
            continue
        try:
            outputs = list(process(item))
        except RecordError as exc:
            if reader.mode == "raw":
                raise
            report(f"record {item['key']!r}", exc.format_message())
            writer.write(error_record(item, command, exc))
            tally.failed += 1
            tally.codes.append(exc.exit_code)
            continue
        for out in outputs:
            writer.write(out)
        tally.ok += 1
    return tally


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
