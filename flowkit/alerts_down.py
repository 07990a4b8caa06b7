"""The ``down`` alert: a destination deliver could not reach, or that refused it, told per destination.

A destination that cannot be reached (connection refused, timeout, unknown
host key, a login refused, HTTP 5xx or 401 on every payload) never makes a
delivery ``dead``: deliver keeps its payloads ``not sent`` (no attempt counted)
or fails them with 75/69, run after run. At the end of each deliver run,
``lines`` finds the destinations the run could not reach (and reached nothing
of), keeps each outage's story (``store.outages``: since when, why), and once a
destination has been failing ``down_after`` seconds, tells it in the run's
alert: the cause, since when, how many payloads wait and which. A destination
whose outage was told and that takes a payload again is told once more, as
recovered. Runs of other commands, and runs that never tried a destination,
say nothing of it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from flowkit.store import Store, outages


class RunEnd(Protocol):
    """What ``lines`` reads of the run that just ended (``flowkit.alerts.RunEnd``)."""

    @property
    def run_id(self) -> int: ...
    @property
    def command(self) -> str: ...
    @property
    def target(self) -> str | None: ...
    @property
    def counts(self) -> dict[str, Any]: ...


KEYS = 20  # keys named per destination; the rest are counted
DOWN_CODES = (69, 75)  # refused, unreachable: the codes of a destination that is not there for us
_LOCKED = re.compile(r"^another flowkit \S+ run holds the lock ")  # kept by a run's lock, not by the destination


@dataclass
class Unreached:
    """A destination the run could not reach: why (the first payload's words), from when, which keys."""

    error: str
    exit_code: int
    at: str
    keys: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # ledger ids of payloads that failed per payload (HTTP)


def lines(
    store: Store, end: RunEnd, failed: list[tuple[str, str, dict[str, Any]]], *, down_after: float, destinations: list[str]
) -> list[dict[str, Any]]:
    """The ``down`` lines of a deliver run's alert (a recovered destination's too); keeps the outages' stories.

    ``failed`` are the run's ``failed`` delivery events (key, at, detail); ``destinations`` the config's, those
    a run with several destinations may have reached.
    """
    if end.command != "deliver":
        return []
    per_payload = _failed_rows(store, failed)
    unreached = _unreached(store, end, per_payload)
    answered = {
        name
        for name, rows in per_payload.items()
        if name not in unreached and any(row["error_code"] not in DOWN_CODES for row in rows)
    }  # destinations that answered a payload of this run, if only to refuse it as bad data: they are there
    candidates = set(unreached) | ({end.target} if end.target else set(destinations))
    out: list[dict[str, Any]] = []
    for name in sorted(candidates):
        last = outages.latest(store, name)
        is_open = last is not None and last[0] in outages.OPEN
        if name in unreached:
            line = _down(store, end, name, unreached[name], last if is_open else None, down_after)
        elif is_open and last is not None:
            line = _maybe_up(store, end, name, last, name in answered)
        else:
            line = None
        if line is not None:
            out.append(line)
    return out


def _unreached(store: Store, end: RunEnd, per_payload: dict[str, list[dict[str, Any]]]) -> dict[str, Unreached]:
    """The destinations this run could not reach and sent nothing to."""
    found: dict[str, Unreached] = {}
    started = outages.run_started(store, end.run_id) if end.counts.get("not sent") else None
    for key, at, detail in outages.not_sent(store, end.run_id, started) if started else ():
        error, name = str(detail.get("error") or ""), str(detail.get("destination") or "")
        if not name or _LOCKED.match(error):
            continue
        entry = found.setdefault(name, Unreached(error, int(detail.get("exit_code") or 75), at))
        entry.keys.append(key)
    for name, rows in per_payload.items():
        down = [row for row in rows if row["error_code"] in DOWN_CODES]
        if name in found or not down:
            continue
        first = down[0]
        entry = Unreached(str(first["error"]), int(first["error_code"]), str(first["at"]))
        entry.keys, entry.rows = [str(r["key"]) for r in down], [int(r["id"]) for r in down]
        if end.target == name:
            sent_some = bool(end.counts.get("delivered"))
        else:  # a run with several destinations: did a payload of this run reach it after all?
            sent_some = outages.delivered_after(store, name, min(entry.rows) - 1, end.run_id)
        if not sent_some:
            found[name] = entry
    return found


def _failed_rows(store: Store, failed: list[tuple[str, str, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Per destination, the run's failed payloads with their ledger rows (the row keeps the exit code)."""
    wanted: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
    for key, at, detail in failed:
        name = detail.get("destination")
        if name and detail.get("hash"):
            wanted.setdefault(str(name), {})[(key, str(detail["hash"]))] = (str(detail.get("error") or ""), at)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, events in wanted.items():
        keys = sorted({key for key, _ in events})
        by_key = {(row["key"], row["content_hash"]): row for row in outages.rows(store, name, keys)}
        for (key, digest), (error, at) in events.items():
            row = by_key.get((key, digest))
            if row is not None:
                out.setdefault(name, []).append({**row, "error": error, "at": at})
    return out


def _down(
    store: Store,
    end: RunEnd,
    name: str,
    here: Unreached,
    last: tuple[str, str, dict[str, Any]] | None,
    down_after: float,
) -> dict[str, Any] | None:
    """The run met ``name`` down: an outage begun (its story's ``down``), and the line once it is old enough."""
    if last is None:
        mark = min(here.rows) - 1 if here.rows else outages.last_id(store)
        since = here.at
        outages.tell(
            store, name, end.command, "down", {"since": since, "mark": mark, "error": here.error, "exit_code": here.exit_code}
        )
    else:
        since = str(last[2].get("since") or last[1])
    age = time.time() - _stamp(since)
    if age < down_after:
        return None
    kept = outages.kept_from(store, name, since)
    gone = {
        row["key"]
        for row in outages.rows(store, name, list(kept))
        if row["status"] == "dead" or (row["status"] == "delivered" and str(row["delivered_at"] or "") >= since)
    }
    waiting = [key for key, event in kept.items() if event != "dead" and key not in gone]
    state = "refusing" if here.exit_code == 69 else "not reachable"
    shown = ", ".join(waiting[:KEYS]) + (f", … {len(waiting) - KEYS} more" if len(waiting) > KEYS else "")
    what = f"destination {state} since {_short(since)} ({_span(age)}), {len(waiting)} payload(s) waiting" + (
        f": {shown}" if waiting else ""
    )
    outages.tell(
        store,
        name,
        end.command,
        "down-alert",
        {"since": since, "error": here.error, "exit_code": here.exit_code, "waiting": len(waiting)},
    )
    return {
        "on": "down",
        "key": name,
        "what": what,
        "reason": f"{here.error} (exit {here.exit_code})",
        "since": since,
        "exit_code": here.exit_code,
        "waiting": len(waiting),
        "keys": waiting[:KEYS],
    }


def _maybe_up(
    store: Store, end: RunEnd, name: str, last: tuple[str, str, dict[str, Any]], answered: bool
) -> dict[str, Any] | None:
    """An outage of ``name`` is open and this run did not meet it: did the run reach it? Then it has ended."""
    event, at, detail = last
    since = str(detail.get("since") or at)
    if end.target is not None and end.target != name:
        return None  # a run to another destination: it tells nothing of this one
    if end.target == name:
        back = answered or bool(end.counts.get("delivered"))
    else:
        back = answered or outages.delivered_after(store, name, int(detail.get("mark") or 0))
        if not back:
            kept = outages.kept_from(store, name, since)
            back = any(
                row["status"] == "delivered" and str(row["delivered_at"] or "") >= since
                for row in outages.rows(store, name, list(kept))
            )
    if not back:
        return None
    told = event == "down-alert"
    age = time.time() - _stamp(since)
    outages.tell(store, name, end.command, "up", {"since": since, "told": told})
    if not told:
        return None  # a blip nobody was told of: nothing to say now either
    return {
        "on": "recovered",
        "key": name,
        "what": "destination back",
        "reason": f"this run reached it again, after it failed from {_short(since)} on ({_span(age)})",
        "since": since,
    }


def _short(stamp: str) -> str:
    """An event's time to the second: ``2026-12-05T03:00:01Z``."""
    return stamp[:19] + "Z" if len(stamp) > 19 else stamp


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _span(seconds: float) -> str:
    """A duration in words: ``45 s``, ``15 min``, ``2 h 05 min``, ``3 d 4 h``."""
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h {minutes % 60:02d} min"
    return f"{hours // 24} d {hours % 24} h"
