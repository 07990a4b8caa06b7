"""Deliver payload records through one transport, with the ledger in the state store.

For each record: hash the body, look the (key, destination, hash) up in the
ledger, skip what was delivered (``duplicate``), reconcile what a killed run
left ``sending``/``unknown`` (``exists()`` at the destination), otherwise
commit the intent, ``put``, and commit the outcome. Transient failures are
retried within the run with exponential backoff and jitter (honouring a
destination's Retry-After); across runs ``--retry-failed`` resends the kept
bodies until ``max_attempts``, after which a delivery is ``dead``.

Transports with ``put_many`` (hotfolder, SFTP) take a window of records with
distinct keys: the window's intents commit in one transaction before any side
effect, the outcomes in one transaction after them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flowkit.deliver.ahead import Prepared, prepare
from flowkit.deliver.model import Outcome, Policy, Send, ended, holds, not_sent
from flowkit.errors import ExitCode, FlowkitError, RecordError, TempFailError, UnavailableError
from flowkit.records import Record
from flowkit.store import Store
from flowkit.store import delivery as ledger
from flowkit.store.withdraw import Withdraw, withdraw
from flowkit.transports import names
from flowkit.transports.base import OutcomeUnknown, Receipt, Stopped, Transport

CONSUMES = ("payload",)


@dataclass
class Deliverer:
    """Delivers records to one destination; open lazily, ``close`` at the end."""

    store: Store
    destination: str
    transport: Transport
    policy: Policy = field(default_factory=Policy)
    template: Callable[[Record], str | None] = lambda record: None
    sleep: Callable[[float], None] = time.sleep
    counts: Counter[str] = field(default_factory=Counter)
    opened: bool = False
    pending: list[ledger.Settle] | None = None  # a window's outcomes, written together when set
    down: FlowkitError | None = None  # why the destination could not be reached; tried once per run

    def __post_init__(self) -> None:
        ledger.prepare(self.store)

    def ensure_open(self) -> None:
        if self.down is not None:
            raise self.down
        if not self.opened:
            try:
                self.transport.open()
            except (UnavailableError, TempFailError) as exc:  # unreachable, refused, host key: not one record's fault
                self.down = exc
                raise
            self.opened = True

    def close(self) -> None:
        if self.opened:
            self.opened = False
            self.transport.close()

    @property
    def window(self) -> int:
        """How many records to hand the transport at once (1 unless it has ``put_many``)."""
        return int(getattr(self.transport, "window", 1)) if hasattr(self.transport, "put_many") else 1

    def deliver(self, record: Record, filename: str | None = None) -> Outcome:
        """Deliver one payload record (or report why not); the ledger says what to do."""
        step = self.plan(record, filename)
        return step if isinstance(step, Outcome) else self._send(step)

    def deliver_many(
        self, records: list[Record], prepared: list[Prepared | BaseException] | None = None
    ) -> list[Outcome | RecordError]:
        """Deliver a window of records with distinct keys, in order (``prepared``: their ``ahead.prepare``, if done).

        Intents are committed in one transaction, the transport's ``put_many``
        sends them, outcomes are committed in one transaction. A record the core
        rejects (bad template, …) yields its RecordError in its place.
        """
        steps: list[Outcome | Send | RecordError] = []
        windowed = self.window > 1
        asked = [r["key"] for r in records if "\x00" not in r["key"]]  # a NUL key is refused by plan; json_each would cut it
        known = ledger.entries_for(self.store, asked, self.destination) if windowed else {}
        unreached: list[Record] = []
        for n, record in enumerate(records):
            ready = prepared[n] if prepared else None
            try:
                steps.append(self.plan(record, rows=known.get(record["key"]), ready=ready) if windowed else self.deliver(record))
            except RecordError as exc:
                steps.append(exc)
            except FlowkitError as exc:
                if exc is not self.down:
                    raise
                steps.append(self.unreached(record, known.get(record["key"])))
                unreached.append(record)
        sends = [(index, step) for index, step in enumerate(steps) if isinstance(step, Send)]
        try:
            done: dict[int, Outcome] = (
                self._send_window(sends) if len(sends) > 1 else {index: self._send(step) for index, step in sends}
            )
        except FlowkitError as exc:
            if exc is not self.down:
                raise
            done = {index: self.unreached(step.record, known.get(step.record["key"])) for index, step in sends}
            unreached += [step.record for _, step in sends]
        self.note_unreached(unreached)
        out: list[Outcome | RecordError] = []
        for index, step in enumerate(steps):
            out.append(done[index] if isinstance(step, Send) else step)
        return out

    def unreached(self, record: Record, rows: list[ledger.Entry] | None) -> Outcome:
        """A record not sent because the destination could not be reached: failed, no attempt counted."""
        assert self.down is not None
        self.counts["failed"] += 1
        self.counts["not sent"] += 1
        outcome = not_sent(record, self.destination, self.down, rows)
        outcome.quiet = self.counts["not sent"] > 1  # stderr names the first; the summary counts them all
        return outcome

    def note_unreached(self, records: list[Record]) -> None:
        """One event per record kept from the destination, so ``state show`` tells the outage."""
        if not records or self.down is None:
            return
        detail = {
            "destination": self.destination,
            "error": self.down.format_message(),
            "exit_code": self.down.exit_code,
            "sent": False,
        }
        with self.store.transaction() as conn:
            self.store.add_events(conn, [(r["key"], "deliver", "not-sent", detail) for r in records])

    def plan(
        self,
        record: Record,
        filename: str | None = None,
        rows: list[ledger.Entry] | None = None,
        ready: Prepared | BaseException | None = None,
    ) -> Outcome | Send:
        """What to do with a record: an outcome already (duplicate, dead, reconciled) or a send.

        ``rows`` are the record's ledger rows at this destination when the caller
        already read them (a window reads all of its keys at once); ``ready``, its
        bytes, hash and packed copy when worked out ahead (``ahead.prepare``).
        """
        if "\x00" in record["key"]:  # sqlite's JSON functions, which the window's look-ups use, end a string at a NUL
            raise RecordError("the key holds a NUL character: the delivery ledger cannot match it", code=ExitCode.DATAERR)
        if isinstance(ready, BaseException):
            raise ready
        data, digest, packed = ready or prepare(record, packed=False)  # packed only if an intent keeps it
        name = names.path(filename) if filename else names.choose(record, self.template(record), digest)
        if rows is None:
            rows = ledger.entries(self.store, record["key"], self.destination)
        same = next((r for r in rows if r.content_hash == digest), None)
        if not self.policy.force and not (record.get("meta") or {}).get("resend"):  # query-products after a reset
            if same is not None and same.status == "delivered" and holds(record, rows, same):
                return self._done(record, "duplicate", same)
            if self.policy.once_per_key and any(r.status == "delivered" for r in rows):
                other = next(r for r in rows if r.status == "delivered")
                return self._done(record, "duplicate", other, error="once per key: an earlier version was delivered")
            if same is not None and same.status == "dead":
                return self._done(record, "dead", same, code=int(ExitCode.PARTIAL))
            if same is not None and same.status in ledger.OPEN_STATUSES:
                settled = self._reconcile(record, same)
                if settled is not None:
                    return settled
                name = names.path(same.filename)  # the same name again (sanitised, should an older run have kept it raw)
            if same is not None and same.status == "failed" and same.attempts >= self.policy.max_attempts:
                return self._dead(record, same)
        return Send(record, data, digest, name, same, packed, tuple(rows))

    def _reconcile(self, record: Record, entry: ledger.Entry) -> Outcome | None:
        """A killed or timed-out attempt: is it at the destination? None means send again."""
        self.ensure_open()
        try:
            there = self.transport.exists(entry.filename, entry.size, record)
        except RecordError:
            there = None
        if there:
            ref = entry.remote_ref or entry.filename
            done = ledger.finish(self.store, entry, "delivered", remote_ref=ref, response={"reconciled": True})
            self.counts["reconciled"] += 1
            return self._done(record, "delivered", done)
        if there is False or getattr(self.transport, "resend_unknown", False):
            return None
        message = "earlier attempt's outcome is unknown and the destination cannot be checked; --force resends"
        done = ledger.finish(self.store, entry, "unknown", error=message, error_code=int(ExitCode.PARTIAL))
        return self._done(record, "unknown", done, code=int(ExitCode.PARTIAL))

    def _intent(self, step: Send) -> ledger.Entry | Outcome:
        """A send's write-ahead intent, committed (an outcome instead: a shared store's claim decided otherwise)."""
        i = step.intent()
        return ledger.begin_attempt(
            self.store,
            key=i.key,
            destination=self.destination,
            content_hash=i.content_hash,
            filename=i.filename,
            body=i.body,
            packed=i.packed,
            media_type=i.media_type,
            meta=dict(i.meta),
        )

    def _finish(self, entry: ledger.Entry, status: str, **how: Any) -> ledger.Entry:
        """Record an outcome now, or queue it with the window's others when a window is settling."""
        if self.pending is None:
            return ledger.finish(self.store, entry, status, **how)
        settled = ledger.settle(entry, status, **how)
        self.pending.append(settled)
        return settled.after

    def _send(self, step: Send, tries: int = 0, before: ledger.Entry | None = None) -> Outcome:
        """Send one record, retrying transient failures; ``before``: its row before this try (default ``step.before``)."""
        self.ensure_open()
        before = before or step.before
        while True:
            entry = self._intent(step)
            if isinstance(entry, Outcome):
                return entry
            tries += 1
            try:
                receipt = self.transport.put(step.name, step.data, step.record)
            except RecordError as exc:
                wait = self.policy.retry_wait(exc, tries, entry.attempts)
                if wait is None:
                    return self._failed(step.record, entry, exc)
                if isinstance(exc, OutcomeUnknown) and self._arrived(entry, step.record):
                    receipt = Receipt(entry.filename, {"reconciled": True})
                else:
                    self.counts["retries"] += 1
                    self.sleep(wait)
                    before = ledger.settle(entry, "failed", error=exc.format_message(), error_code=exc.exit_code).after
                    continue
            except Stopped as stop:
                self._stop([], [(step, entry, before)], stop)
                raise
            except FlowkitError as exc:
                ledger.finish(self.store, entry, "failed", error=exc.format_message(), error_code=exc.exit_code)
                raise
            return self._delivered(step.record, entry, receipt)

    def _send_window(self, sends: list[tuple[int, Send]]) -> dict[int, Outcome]:
        self.ensure_open()
        with self.store.transaction():  # every intent committed before any send
            sends, aside = self._claim(sends)
            entries = ledger.begin_attempts(self.store, self.destination, [s.intent() for _, s in sends])
        if not sends:
            return self._set_aside(aside)
        try:
            results = self.transport.put_many([(s.name, s.data, s.record) for _, s in sends])  # type: ignore[attr-defined]
        except Stopped as stop:
            tried = len(stop.results)
            self._stop(
                [(s, e, r) for (_, s), e, r in zip(sends, entries, stop.results, strict=False)],
                [(s, e, s.before) for (_, s), e in zip(sends[tried:], entries[tried:], strict=True)],
                stop,
            )
            raise
        except FlowkitError as exc:
            failed = [ledger.settle(e, "failed", error=exc.format_message(), error_code=exc.exit_code) for e in entries]
            with self.store.transaction():
                ledger.finish_many(self.store, failed)
            raise
        out: dict[int, Outcome] = {}
        again: list[tuple[int, Send, ledger.Entry, RecordError]] = []
        self.pending = []
        try:
            for (index, step), entry, result in zip(sends, entries, results, strict=False):
                if isinstance(result, Receipt):
                    out[index] = self._delivered(step.record, entry, result)
                elif self.policy.retry_wait(result, 1, entry.attempts) is not None:
                    again.append((index, step, entry, result))
                else:
                    out[index] = self._failed(step.record, entry, result)
            with self.store.transaction():  # the window's outcomes, after the sends confirmed
                ledger.finish_many(self.store, self.pending)
        finally:
            self.pending = None
        out.update(self._retry_window(again))
        out.update(self._set_aside(aside))
        return out

    def _claim(self, sends: list[tuple[int, Send]]) -> tuple[list[tuple[int, Send]], list[tuple[int, Send, object]]]:
        """The window's sends this run makes, and those set aside with why (none here: ``claims.SharedDeliverer``)."""
        return sends, []

    def _set_aside(self, aside: list[tuple[int, Send, object]]) -> dict[int, Outcome]:
        return {}  # the outcomes of what ``_claim`` set aside: none here

    def _retry_window(self, again: list[tuple[int, Send, ledger.Entry, RecordError]]) -> dict[int, Outcome]:
        """Transient failures of a window: one backoff, then one by one (lost replies checked first)."""
        waits = [self.policy.retry_wait(exc, 1, entry.attempts) or 0.0 for _, _, entry, exc in again]
        if waits:
            self.sleep(max(waits))
        out: dict[int, Outcome] = {}
        for n, (index, step, entry, exc) in enumerate(again):
            if isinstance(exc, OutcomeUnknown) and self._arrived(entry, step.record):
                out[index] = self._delivered(step.record, entry, Receipt(entry.filename, {"reconciled": True}))
                continue
            self.counts["retries"] += 1
            try:
                first = ledger.settle(entry, "failed", error=exc.format_message(), error_code=exc.exit_code).after
                out[index] = self._send(step, tries=1, before=first)
            except Stopped as stop:  # the others' first tries failed: settle them so, untried again
                self._stop([(s, e, x) for _, s, e, x in again[n + 1 :]], [], stop)
                raise
        return out

    def _stop(
        self,
        tried: list[tuple[Send, ledger.Entry, Receipt | RecordError]],
        untried: list[tuple[Send, ledger.Entry, ledger.Entry | None]],
        stop: Stopped,
    ) -> None:
        """The destination stopped the batch (disk full): settle what was tried, take the rest back.

        ``tried``: sends with their outcome (no retry now); ``untried``: sends whose intent is
        taken back, the first of them the one that met the stop (it fails without its attempt
        counting toward ``dead``), the others left as they were.
        """
        self.pending = []
        try:
            for step, entry, result in tried:
                if isinstance(result, Receipt):
                    self._delivered(step.record, entry, result)
                else:
                    self._failed(step.record, entry, result)
            message = stop.format_message()
            back = [
                Withdraw(entry, before, message if n == 0 else None, stop.exit_code if n == 0 else None)
                for n, (_, entry, before) in enumerate(untried)
            ]
            with self.store.transaction():
                ledger.finish_many(self.store, self.pending)
                withdraw(self.store, back)
        finally:
            self.pending = None

    def _arrived(self, entry: ledger.Entry, record: Record) -> bool:
        try:
            return bool(self.transport.exists(entry.filename, entry.size, record))
        except RecordError:
            return False

    def _delivered(self, record: Record, entry: ledger.Entry, receipt: Receipt) -> Outcome:
        detail = dict(receipt.detail)
        done = self._finish(entry, "delivered", remote_ref=receipt.remote_ref, response=detail)
        status = "delivered"
        if detail.get("exists"):
            status = "duplicate"
        elif detail.get("conflict") == "ignored":
            status = "skipped"
        outcome = self._done(record, status, done)
        if "json" in detail:  # the destination's JSON answer (transports/http.answer), for mark-sent's write-back
            outcome.result["body"]["response"] = detail["json"]
        return outcome

    def _failed(self, record: Record, entry: ledger.Entry, exc: RecordError) -> Outcome:
        message = exc.format_message()
        if isinstance(exc, OutcomeUnknown):
            done = self._finish(entry, "unknown", error=message, error_code=exc.exit_code)
            return self._done(record, "unknown", done, code=exc.exit_code)
        done = self._finish(entry, "failed", error=message, error_code=exc.exit_code)
        if done.attempts >= self.policy.max_attempts:
            return self._dead(record, done)
        return self._done(record, "failed", done, code=exc.exit_code)

    def _dead(self, record: Record, entry: ledger.Entry) -> Outcome:
        error = f"gave up after {entry.attempts} attempt(s): {entry.error or 'failed'}"
        done = self._finish(entry, "dead", error=error, error_code=int(ExitCode.PARTIAL))
        return self._done(record, "dead", done, code=int(ExitCode.PARTIAL))

    def _done(
        self, record: Record, status: str, entry: ledger.Entry, *, code: int | None = None, error: str | None = None
    ) -> Outcome:
        self.counts[status] += 1
        return ended(record, self.destination, status, entry, code, error)

    def retry(self, record: Record, entry: ledger.Entry) -> Outcome:
        """Resend a failed/unknown delivery's kept body (``--retry-failed``), or give up after ``max_attempts``."""
        if entry.attempts >= self.policy.max_attempts and entry.status == "failed":
            return self._dead(record, entry)
        try:
            return self.deliver(record, filename=entry.filename)
        except FlowkitError as exc:
            if exc is not self.down:
                raise
            self.note_unreached([record])
            return self.unreached(record, [entry])
