"""The one inbox runner behind every ``--from-dir``: message files taken in numeric order.

Files in the folder (not hidden, not in sub-folders) are ordered by the number
in their name (so 99 comes before 100, never as text; files without a number
last), at most ``batch_size`` a run. Each file is read whole before anything
in it is processed: a file with a malformed line, or that cannot be decoded,
is unreadable. A file handled without error moves to ``done/``. A file that
errors stays for the next run and counts an attempt in the state store (an
``attempt-failed`` event, which ``[alerts]`` tells of); at
``max_attempts`` (at once for an unreadable file when the command's policy
says so) it is parked in ``failed/`` with a ``NAME.error`` note beside it and
no longer blocks the others. Every move is an event (key ``inbox:NAME``).
Nothing unprocessed is ever deleted, and the command's work for a file is
committed before the file moves: a run killed in between leaves the file,
and the next run finds its messages already processed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowkit.errors import ExitCode, FlowkitError, InputError
from flowkit.records import BadLine, Decode, Item, Peekable, Reader
from flowkit.store import Store

Ledger = Callable[[Store, str, str, str, "str | None"], int]
_DIGITS = re.compile(r"\d+")


def first_number(name: str) -> int | None:
    """The first run of digits in a file name (``99-b.json`` -> 99)."""
    found = _DIGITS.search(name)
    return int(found.group()) if found else None


def last_number(name: str) -> int | None:
    """The last run of digits in a file name (``stock-000100.csv`` -> 100)."""
    found = _DIGITS.findall(name)
    return int(found[-1]) if found else None


@dataclass(frozen=True)
class Policy:
    """What a command's inbox promises (its docs say which number orders the files)."""

    command: str
    ledger: Ledger  # records an attempt's outcome, returns the attempts so far
    number: Callable[[str], int | None] = first_number
    park_unreadable: bool = False  # an unreadable file goes to failed/ at its first attempt


class Unreadable(InputError):
    """An inbox file that cannot be read as messages."""


@dataclass
class Outcome:
    """What happened to the files of one run; ``codes`` holds an exit code per file that errored."""

    done: int = 0
    retry: int = 0
    dead: int = 0
    unreadable: int = 0
    codes: list[int] = field(default_factory=list)


def queue(folder: Path, number: Callable[[str], int | None] = first_number) -> list[Path]:
    """The message files waiting in ``folder``, in numeric order."""
    try:
        entries = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    except FileNotFoundError as exc:
        raise InputError(f"inbox folder {folder} does not exist") from exc
    except OSError as exc:
        raise InputError(f"{folder}: cannot read the inbox: {exc.strerror}") from exc

    def order(path: Path) -> tuple[bool, int, str]:
        seq = number(path.name)
        return (seq is None, seq or 0, path.name)

    return sorted(entries, key=order)


def reader(path: Path, decode: Decode) -> Reader:
    """A ``Reader`` of one inbox file through ``whole(decode)``, tagging its records with ``inbox_file``."""
    try:
        return Reader([str(path)], decode=whole(decode, {"inbox_file": path.name}))
    except InputError as exc:
        raise Unreadable(exc.format_message()) from exc


def whole(decode: Decode, meta: dict[str, Any]) -> Decode:
    """``decode`` that reads the whole file first: a bad line makes the file ``Unreadable``; ``meta`` is added."""

    def decoded(name: str, stream: Peekable, first: bytes) -> Iterator[Item]:
        try:
            items = list(decode(name, stream, first))
        except FlowkitError as exc:
            raise Unreadable(exc.format_message()) from exc
        for item in items:
            if isinstance(item, BadLine):
                raise Unreadable(str(item))
            item.setdefault("meta", {}).update(meta)
        yield from items

    return decoded


def run(
    folder: Path,
    handle: Callable[[Path], None],
    *,
    store: Store,
    policy: Policy,
    batch_size: int,
    max_attempts: int,
    warn: Callable[[str, str], None],
) -> Outcome:
    """Handle up to ``batch_size`` files (``handle`` raises a flowkit error when a file failed).

    ``warn(file name, message)`` says what happened to a file that failed.
    """
    outcome = Outcome()
    key = str(folder.resolve())
    for path in queue(folder, policy.number)[:batch_size]:
        try:
            handle(path)
        except FlowkitError as exc:
            unreadable = isinstance(exc, Unreadable)
            error = exc.format_message()
            warn(path.name, error)
            with store.transaction() as conn:
                attempts = policy.ledger(store, key, path.name, "pending", error)
                detail = {"folder": str(folder), "error": error, "attempt": attempts, "max_attempts": max_attempts}
                store.add_event(conn, f"inbox:{path.name}", policy.command, "attempt-failed", detail)
            outcome.codes.append(int(ExitCode.DATAERR) if unreadable else exc.exit_code)
            outcome.unreadable += unreadable
            if attempts >= max_attempts or (unreadable and policy.park_unreadable):
                parked = _move(store, policy, folder, path, "failed", error)
                parked.with_name(parked.name + ".error").write_text(f"{error} (after {attempts} attempt(s))\n", encoding="utf-8")
                warn(path.name, f"parked in failed/ after {attempts} attempt(s)")
                outcome.dead += 1
            else:
                warn(path.name, f"attempt {attempts} of {max_attempts}, kept for the next run")
                outcome.retry += 1
            continue
        _move(store, policy, folder, path, "done", None)
        outcome.done += 1
    return outcome


def _move(store: Store, policy: Policy, folder: Path, path: Path, where: str, error: str | None) -> Path:
    (folder / where).mkdir(exist_ok=True)
    dest = folder / where / path.name
    os.replace(path, dest)
    with store.transaction() as conn:
        policy.ledger(store, str(folder.resolve()), path.name, "done" if where == "done" else "dead", None)
        store.add_event(conn, f"inbox:{path.name}", policy.command, where, {"folder": str(folder), "error": error})
    return dest
