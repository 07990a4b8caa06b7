"""The inbox queue: message files processed in numeric message_seq order.

Files in the folder are ordered by the number in their name (so 99 comes
before 100, never as text), at most ``batch_size`` a run. A file that was
read and decided moves to ``done/``; a file that errors (unreadable, a
refused send, a busy store) stays for the next run and counts an attempt; at
``max_attempts`` it is parked in ``failed/`` with a ``.error`` note beside it
and no longer blocks the others. Nothing unprocessed is ever deleted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flowkit.errors import FlowkitError, InputError, TempFailError
from flowkit.push_stock.engine import Engine
from flowkit.push_stock.model import Message, seq_from_name
from flowkit.push_stock.read import Bad, read
from flowkit.records import Record
from flowkit.store import stock


@dataclass
class Outcome:
    done: int = 0
    retry: int = 0
    dead: int = 0
    codes: list[int] = field(default_factory=list)


def queue(folder: Path) -> list[Path]:
    """The message files waiting in ``folder``, in numeric message_seq order."""
    try:
        entries = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    except OSError as exc:
        raise InputError(f"{folder}: cannot read the inbox: {exc.strerror}") from exc

    def order(path: Path) -> tuple[int, int, str]:
        seq = seq_from_name(path.name)
        return (seq is None, seq or 0, path.name)

    return sorted(entries, key=order)


def _move(path: Path, sub: str) -> Path:
    target = path.parent / sub
    target.mkdir(exist_ok=True)
    dest = target / path.name
    os.replace(path, dest)
    return dest


def _process_file(path: Path, engine: Engine) -> list[Record]:
    items = list(read([str(path)]))
    for item in items:
        if isinstance(item, Bad):
            raise InputError(str(item))
    out: list[Record] = []
    failed_before = engine.sender.failed if engine.sender else 0
    for item in items:
        if isinstance(item, Message):
            out += engine.process(item)
        elif not isinstance(item, Bad):
            out.append(item)
    if engine.sender is not None:
        out += engine.sender.drain(final=True)
        if engine.sender.failed > failed_before:
            raise _SendFailed(out)
    return out


class _SendFailed(TempFailError):
    def __init__(self, records: list[Record]) -> None:
        super().__init__("the destination did not confirm every chunk")
        self.records = records


def run(folder: Path, engine: Engine, *, batch_size: int, max_attempts: int,
        warn: Callable[[str], None], outcome: Outcome) -> Iterator[list[Record]]:
    """Process up to ``batch_size`` files; yields each file's result records."""
    key = str(folder.resolve())
    for path in queue(folder)[:batch_size]:
        try:
            records = _process_file(path, engine)
        except FlowkitError as exc:
            if isinstance(exc, _SendFailed):
                yield exc.records
            with engine.store.transaction() as conn:
                attempts = stock.inbox_record(conn, key, path.name, "pending", exc.format_message())
                dead = attempts >= max_attempts
                if dead:
                    stock.inbox_record(conn, key, path.name, "dead")
            outcome.codes.append(exc.exit_code)
            if dead:
                parked = _move(path, "failed")
                parked.with_name(parked.name + ".error").write_text(exc.format_message() + "\n", encoding="utf-8")
                outcome.dead += 1
                warn(f"{path.name}: {exc.format_message()}; parked in failed/ after {attempts} attempt(s)")
            else:
                outcome.retry += 1
                warn(f"{path.name}: {exc.format_message()}; attempt {attempts} of {max_attempts}, kept for the next run")
            continue
        with engine.store.transaction() as conn:
            stock.inbox_record(conn, key, path.name, "done")
        _move(path, "done")
        outcome.done += 1
        yield records
