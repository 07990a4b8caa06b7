"""The values deliver passes around: the retry policy, a record's outcome, a planned send, the summary line."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from flowkit.errors import ExitCode, FlowkitError, RecordError
from flowkit.records import JSON_TYPE, Record, derive
from flowkit.store import delivery as ledger


@dataclass
class Policy:
    """How hard to try: within one run (``retries``) and across runs (``max_attempts``)."""

    max_attempts: int = 5
    retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    force: bool = False
    once_per_key: bool = False

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before try ``attempt + 1``; None when Retry-After exceeds ``max_delay``."""
        if retry_after is not None:
            return float(retry_after) if retry_after <= self.max_delay else None
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)

    def retry_wait(self, exc: RecordError, tries: int, attempts: int) -> float | None:
        """Seconds to wait before trying again in this run, or None: not temporary, or out of tries or attempts."""
        if exc.exit_code != ExitCode.TEMPFAIL or tries >= self.retries or attempts >= self.max_attempts:
            return None
        return self.delay(tries, getattr(exc, "retry_after", None))


@dataclass
class Outcome:
    """What happened to one record: its result record and, for a failure, its exit code."""

    result: Record
    code: int | None = None
    quiet: bool = False  # a failure whose cause stderr already named (a destination down: named once per run)


@dataclass
class Send:
    """A record to send: its bytes, their hash, the file name, and its ledger row before the send (None: no row yet)."""

    record: Record
    data: bytes
    digest: str
    name: str
    before: ledger.Entry | None = None  # the ledger row for (key, destination, hash) before this send, if any
    packed: bytes | None = None  # the copy the ledger keeps (``store.bodies.pack``), when already made
    seen: tuple[ledger.Entry, ...] = ()  # the key's ledger rows at the destination it was planned from

    @property
    def fresh(self) -> bool:
        return self.before is None

    def intent(self) -> ledger.Intent:
        """What the ledger writes ahead of this send."""
        record = self.record
        meta = record.get("meta") or {}
        return ledger.Intent(
            record["key"], self.digest, self.name, self.data, record.get("type", JSON_TYPE), meta, self.fresh, self.packed
        )


def ended(record: Record, destination: str, status: str, entry: ledger.Entry, code: int | None, error: str | None) -> Outcome:
    """The outcome of a record whose ledger row ``entry`` says how it ended (``status``; ``code`` for a failure)."""
    body = {
        "key": record["key"],
        "destination": destination,
        "status": status,
        "remote_ref": entry.remote_ref,
        "attempts": entry.attempts,
        "error": error or (entry.error if status != "delivered" and status != "duplicate" else None),
        "content_hash": entry.content_hash,
        "exit_code": code,
    }
    return Outcome(derive(record, "result", body), code)


def not_sent(record: Record, destination: str, down: FlowkitError, rows: list[ledger.Entry] | None) -> Outcome:
    """The outcome of a record kept from a destination that could not be reached (its attempts as before)."""
    attempts = max((r.attempts for r in rows or ()), default=0)
    body = {
        "key": record["key"],
        "destination": destination,
        "status": "failed",
        "remote_ref": None,
        "attempts": attempts,
        "error": f"not sent: {down.format_message()}",
        "content_hash": None,
        "exit_code": down.exit_code,
        "sent": False,  # never reached the destination: mark-sent counts no attempt against the order
    }
    return Outcome(derive(record, "result", body), down.exit_code)


def holds(record: Record, rows: list[ledger.Entry], same: ledger.Entry) -> bool:
    """Whether the destination holds ``record``, whose content's row ``same`` is delivered. A message (a shop
    comment, a shipment) delivered before does, whatever came after. A version (``meta.versioned``) does
    only when no other version of the key was tried after it: A, B, then A again is sent, and so is A
    after a B that failed, so that A is the key's latest row and ``--retry-failed`` leaves B alone."""
    if not (record.get("meta") or {}).get("versioned"):
        return True
    return max(rows, key=lambda r: (r.updated_at, r.id)).id == same.id


def summary(destination: str, counts: Counter[str]) -> str:
    """One line for stderr: what happened at the destination."""
    done = ("delivered", "duplicate", "skipped", "left to other runs")
    order = (*done, "failed", "not sent", "unknown", "dead", "reconciled", "retries")
    parts = [f"{counts[name]} {name}" for name in order if counts.get(name)]
    return f"deliver to {destination}: " + (", ".join(parts) if parts else "nothing to do")
