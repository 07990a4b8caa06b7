"""The core of ``query-orders mark-sent``: deliver results -> export status, at the store and the source.

For each ``result`` record of a known order: ``delivered`` (and ``duplicate``,
delivered before) marks it exported and, when its source has a mark-sent
call configured and has not been told yet, tells the source too; ``failed`` (and an ``error`` record
for the order) makes it eligible for the next run and counts an attempt unless the failure was
temporary (exit 75: the destination was down), and after ``max_attempts`` the order is
dead; ``dead`` is dead; ``unknown`` and ``skipped`` leave it as it is.
Each change is one transaction with its event. A source call still owed
(it failed) is retried by the next run before the stream is read.

Write-back: when the source's mark-sent call takes values from the destination's
answer (``{response.…}`` in ``[sources.X.mark_sent]``, see ``sources/writeback.py``),
the result's ``response`` (the JSON an HTTP destination answered, kept by deliver)
is kept in the order's story with the result, so a retry by a later run uses it too.
A value missing from it fails that order's call (65) and leaves it owed; nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowkit.config import Config
from flowkit.errors import ExitCode, FlowkitError, RecordError
from flowkit.log import LOG as log
from flowkit.records import Record
from flowkit.secrets import scrub
from flowkit.sources import open_source
from flowkit.store import Store, exports, orders

if TYPE_CHECKING:
    from flowkit.sources.httpsource import HttpSource

COMMAND = "mark-sent"
CONSUMES = ("result", "error")


@dataclass
class MarkSent:
    store: Store
    config: Config
    max_attempts: int = 5
    call_source: bool = True
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "delivered": 0,
            "duplicates": 0,
            "failed": 0,
            "dead": 0,
            "skipped": 0,
            "unknown": 0,
            "not_orders": 0,
        }
    )
    _sources: dict[str, HttpSource | None] = field(default_factory=dict)

    def process(self, record: Record) -> Iterator[Record]:
        number = record["key"]
        known = exports.status(self.store, number)
        if known is None:
            self.counts["not_orders"] += 1
            yield record
            return
        body: dict[str, Any] = record["body"] if isinstance(record.get("body"), dict) else {}
        status = "failed" if record["kind"] == "error" else str(body.get("status", ""))
        detail = {k: body.get(k) for k in ("destination", "remote_ref", "attempts", "error", "exit_code") if body.get(k)}
        if body.get("sent") is False:
            detail["sent"] = False
        if record["kind"] == "error":
            detail["error"] = body.get("error")
        response = body.get("response") if status in ("delivered", "duplicate") else None
        if response is not None and self.writes_back(number):
            detail["response"] = response  # kept in the story: a retry of the source call by a later run needs it
        detail = scrub(detail)  # the events keep no secret an upstream message carried
        new = self.apply(number, status, known, detail)
        yield {**record, "meta": {**record.get("meta", {}), "export_status": new}}
        owed = exports.marks(self.store, number)
        if new == "exported" and self.call_source and owed is not None and owed["state"] == "pending":
            self.tell_source(number, detail.get("response"))

    def apply(self, number: str, status: str, known: tuple[str, int], detail: dict[str, Any]) -> str:
        """Move the order along its lifecycle for one result; returns its export status afterwards."""
        state, attempts = known
        with self.store.transaction() as conn:
            if status in ("delivered", "duplicate"):
                self.counts["delivered" if status == "delivered" else "duplicates"] += 1
                if state != "exported" or status == "delivered":
                    orders.set_export_status(self.store, number, "exported", command=COMMAND)
                    self.store.add_event(conn, number, COMMAND, f"result-{status}", detail)
                    self.owe(number)
                elif exports.marks(self.store, number) is None:  # delivered by an earlier run that never got marked
                    self.owe(number)
                return "exported"
            if status in ("failed", "dead") and state != "exported":
                # A temporary failure (destination down, 5xx after the run's retries) is not held against the
                # order: the delivery ledger counts real attempts and reports "dead" when they are used up.
                # A record never sent (the destination down or refusing the login: 75 or 69) is not either.
                counted = not (
                    status == "failed" and (detail.get("exit_code") == ExitCode.TEMPFAIL or detail.get("sent") is False)
                )
                dead = status == "dead" or (counted and attempts + 1 >= self.max_attempts)
                self.counts["dead" if dead else "failed"] += 1
                code = f" (exit {detail['exit_code']})" if detail.get("exit_code") else ""
                reason = f"{attempts + counted} attempt(s): {detail.get('error') or status}{code}"
                orders.set_export_status(
                    self.store, number, "dead" if dead else "failed", command=COMMAND, reason=reason, count_attempt=counted
                )
                if dead:
                    log.warning("order %s is dead after %d attempt(s): %s", number, attempts + 1, detail.get("error"))
                return "dead" if dead else "failed"
            self.counts["unknown" if status == "unknown" else "skipped"] += 1
            self.store.add_event(conn, number, COMMAND, f"result-{status or 'missing'}", detail)
            return state

    def owe(self, number: str) -> None:
        """Note the source call this export needs (when the source has one configured)."""
        if self.call_source and self.mark_call(number) is not None:
            exports.owe_mark(self.store, number, self.source_of(number) or "")

    def source_of(self, number: str) -> str | None:
        return exports.source(self.store, number)

    def mark_call(self, number: str) -> HttpSource | None:
        """The order's source, when it has a mark-sent call configured."""
        name = self.source_of(number)
        if name is None or name not in self.config.section("sources"):
            return None
        if name not in self._sources:
            from flowkit.sources.httpsource import HttpSource, has_mark_sent

            spec = self.config.section("sources")[name]
            wanted = spec.get("type", "http") == "http" and has_mark_sent(spec)
            source = open_source(self.config, name, store=self.store) if wanted else None
            self._sources[name] = source if isinstance(source, HttpSource) else None
        return self._sources[name]

    def writes_back(self, number: str) -> bool:
        """Whether the order's source call takes values from the destination's answer (``{response.…}``)."""
        source = self.mark_call(number) if self.call_source else None
        return source is not None and "{response" in str(source.spec.get("mark_sent"))

    def kept_response(self, number: str) -> Any:
        """The destination's answer kept with the order's latest delivered result (for a retried source call)."""
        for event in reversed(self.store.events(number)):
            detail = event.get("detail")
            if event["event"] in ("result-delivered", "result-duplicate") and isinstance(detail, dict) and "response" in detail:
                return detail["response"]
        return None

    def tell_source(self, number: str, response: Any = None) -> None:
        """Call the source's mark-sent; a failure stays owed and is retried next run."""
        from flowkit.sources.writeback import Missing

        source = self.mark_call(number)
        found = exports.document(self.store, number)
        if source is None or found is None:
            return
        if response is None and self.writes_back(number):
            response = self.kept_response(number)
        try:
            ref = source.mark_sent(found[0], response)
        except FlowkitError as exc:
            exports.settle_mark(self.store, number, command=COMMAND, ref=None, error=exc.format_message())
            raise RecordError(
                f"exported, but telling source {source.name!r} failed (will retry): {exc.format_message()}",
                code=ExitCode.DATAERR if isinstance(exc, Missing) else ExitCode.TEMPFAIL,
            ) from exc
        exports.settle_mark(self.store, number, command=COMMAND, ref=ref, error=None)

    def settle_owed(self) -> list[tuple[str, str]]:
        """Retry the source calls owed by earlier runs; returns the (number, error) still failing."""
        failing = []
        for number, _source in exports.owed_marks(self.store):
            try:
                self.tell_source(number)
            except RecordError as exc:
                failing.append((number, exc.format_message()))
        return failing

    def close(self) -> None:
        for source in self._sources.values():
            if source is not None:
                source.close()
