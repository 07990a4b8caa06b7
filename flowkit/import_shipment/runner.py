"""Drive ``apply`` over a stream of messages, or over an inbox folder of message files.

Inbox mode: files are taken in numeric order of the first number in their
name (``99.json`` before ``100.json``), at most ``batch_size`` a run. A file
whose messages all succeed (or are duplicates) moves to ``done/``; a file with
a failed message stays for the next run until ``max_attempts`` failed runs,
then it is parked in ``failed/`` with a ``.error`` note and no longer counted.
A file that cannot be read as messages at all is parked at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from flowkit.errors import ExitCode, FlowkitError
from flowkit.import_shipment.core import COMMAND, Options, apply
from flowkit.pipeline import Tally, report
from flowkit.records import BadLine, Item, Writer, make_record
from flowkit.store import Store
from flowkit.store import shipments as ledger

CONSUMES = ("shipment",)


def run_stream(store: Store, items: Iterable[Item], writer: Writer, options: Options) -> Tally:
    """Apply every shipment message; other kinds pass through; failures are counted, not raised."""
    tally = Tally()
    for item in items:
        if isinstance(item, BadLine):
            report(item.where, item.message)
            writer.write(make_record("error", item.key or item.where, {
                "error": f"{item.where}: {item.message}", "exit_code": int(ExitCode.DATAERR),
                "command": COMMAND, "kind": "shipment"}))
            tally.failed += 1
            tally.codes.append(int(ExitCode.DATAERR))
            continue
        if item["kind"] not in CONSUMES:
            writer.write(item)
            tally.passed += 1
            continue
        outputs, ok = apply(store, item, options)
        for out in outputs:
            writer.write(out)
        if ok:
            tally.ok += 1
            continue
        body = outputs[0]["body"]
        where = f"message {body['message_seq']}" if body["message_seq"] is not None else f"record {item['key']!r}"
        report(where + (f" (order {body['order']!r})" if body["order"] else ""), body["message"])
        tally.failed += 1
        tally.codes.append(int(ExitCode.DATAERR))
    return tally


def inbox_files(folder: Path) -> list[Path]:
    """Message files in ``folder`` (not hidden, not in sub-folders), in numeric order."""
    def key(path: Path) -> tuple[int, int, str]:
        match = re.search(r"\d+", path.name)
        return (0, int(match.group()), path.name) if match else (1, 0, path.name)

    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")), key=key)


def run_inbox(store: Store, folder: Path, writer: Writer, options: Options, *, batch_size: int,
              max_attempts: int) -> Tally:
    """Process up to ``batch_size`` inbox files; move each to done/ or, when dead, failed/."""
    from flowkit.import_shipment.read import read

    total = Tally()
    for path in inbox_files(folder)[:batch_size]:
        try:
            items = list(read([str(path)], kind="shipment"))
            bad = next((i for i in items if isinstance(i, BadLine)), None)
            error = None if bad is None else str(bad)
        except FlowkitError as exc:
            items, error = [], exc.format_message()
        if error is not None:
            report(path.name, error)
            _park(store, folder, path, error, dead=True)
            total.failed += 1
            total.codes.append(int(ExitCode.DATAERR))
            continue
        for item in items:
            item.setdefault("meta", {})["inbox_file"] = path.name  # type: ignore[union-attr]
        tally = run_stream(store, items, writer, options)
        total.ok, total.passed = total.ok + tally.ok, total.passed + tally.passed
        total.failed += tally.failed
        total.codes += tally.codes
        if tally.failed:
            _park(store, folder, path, f"{tally.failed} message(s) failed", dead=False, max_attempts=max_attempts)
        else:
            _move(store, folder, path, "done", None)
    return total


def _park(store: Store, folder: Path, path: Path, error: str, *, dead: bool, max_attempts: int = 1) -> None:
    with store.transaction() as conn:
        attempts = ledger.inbox_outcome(conn, str(folder.resolve()), path.name, "pending", error)
    if dead or attempts >= max_attempts:
        (folder / "failed").mkdir(exist_ok=True)
        note = folder / "failed" / f"{path.name}.error"
        note.write_text(f"{error} (after {attempts} attempt(s))\n", encoding="utf-8")
        _move(store, folder, path, "failed", error)
        report(path.name, f"parked in failed/ after {attempts} attempt(s)")


def _move(store: Store, folder: Path, path: Path, where: str, error: str | None) -> None:
    (folder / where).mkdir(exist_ok=True)
    os.replace(path, folder / where / path.name)
    with store.transaction() as conn:
        ledger.inbox_outcome(conn, str(folder.resolve()), path.name, "done" if where == "done" else "dead", None)
        store.add_event(conn, f"inbox:{path.name}", COMMAND, where, {"folder": str(folder), "error": error})
