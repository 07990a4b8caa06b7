"""The record loop of the message commands (import-shipment, import-status): files, stdin or an inbox.

Each message record is applied by the command's ``apply`` (one transaction per
message) through ``pipeline.run``. A failed message writes its ``failure``
result record (not an error record), one line on stderr, and counts as failed
in the run's tally. Inbox mode hands each file to ``flowkit.inbox``: a file
any of whose messages failed stays for the next run (the order may not be
known yet; its error note names the first failure); a file that cannot be
read as messages is parked at once (the commands' policies say so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from flowkit import inbox
from flowkit.errors import ExitCode, InputError
from flowkit.pipeline import Tally, report, run
from flowkit.records import Decode, Reader, Record, Writer
from flowkit.store import Store

O = TypeVar("O")  # noqa: E741 - a command's options
Applied = tuple[list[Record], bool]  # (output records, the first one the message's result; whether it applied)


class Apply(Generic[O]):
    """The per-record core for ``pipeline.run``: apply one message, count and report the ones that failed."""

    def __init__(self, store: Store, options: O, apply: Callable[[Store, Record, O], Applied]) -> None:
        self.store, self.options, self._apply = store, options, apply
        self.failed = 0
        self.first: str | None = None  # the first failure since reset (an inbox file's, for its error note and alert)

    def __call__(self, record: Record) -> list[Record]:
        outputs, ok = self._apply(self.store, record, self.options)
        body = outputs[0]["body"]
        self.seen(body)
        if not ok:
            seq = body["message_seq"]
            where = f"message {seq}" if seq is not None else f"record {record['key']!r}"
            text = where + (f" (order {body['order']!r})" if body["order"] else "")
            report(text, body["message"], key=record["key"], exit_code=body.get("exit_code"))
            self.failed += 1
            self.first = self.first or f"{text}: {body['message']}"
        return outputs

    def seen(self, body: dict[str, Any]) -> None:
        """Called with every message's result body (a command counts its outcomes here)."""


@dataclass(frozen=True)
class Messages:
    """One message command's loop: its name, the record kind it applies, how its files decode, its inbox policy."""

    command: str
    kind: str
    decode: Decode
    policy: inbox.Policy

    def _run(self, reader: Reader, writer: Writer, process: Apply[Any]) -> Tally:
        """``pipeline.run`` over ``reader``; a failed message counts as failed, not done."""
        before = process.failed
        tally = run(reader, writer, process, consumes=(self.kind,), command=self.command, bad_lines=self.kind)
        failed = process.failed - before
        tally.ok -= failed
        tally.failed += failed
        tally.codes += [int(ExitCode.DATAERR)] * failed
        return tally

    def files(self, files: tuple[str, ...], writer: Writer, process: Apply[Any]) -> Tally:
        """Apply every message in ``files`` (stdin when none); other kinds pass through."""
        return self._run(Reader(files, decode=self.decode), writer, process)

    def inbox(
        self, store: Store, folder: Path, writer: Writer, process: Apply[Any], *, batch_size: int, max_attempts: int
    ) -> Tally:
        """Process up to ``batch_size`` inbox files; each moves to done/ or, when dead, failed/."""
        total = Tally()

        def handle(path: Path) -> None:
            process.first = None
            tally = self._run(inbox.reader(path, self.decode), writer, process)
            total.ok, total.passed = total.ok + tally.ok, total.passed + tally.passed
            total.failed, total.codes = total.failed + tally.failed, total.codes + tally.codes
            if tally.failed:
                first = f"; the first: {process.first}" if process.first else ""
                raise InputError(f"{tally.failed} message(s) failed{first}")

        outcome = inbox.run(
            folder, handle, store=store, policy=self.policy, batch_size=batch_size, max_attempts=max_attempts, warn=report
        )
        total.failed += outcome.unreadable
        total.codes += [int(ExitCode.DATAERR)] * outcome.unreadable
        return total
