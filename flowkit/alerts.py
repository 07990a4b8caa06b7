"""One alert per run: the deliveries that went dead, the inbox messages that failed, the orders held.

``[alerts] to = "NAME"`` names a ``[destinations.NAME]`` (or a destination URL):
email through the SMTP transport (the message as its plain-text body), HTTP (a
JSON body), a hotfolder, FTP or SFTP (a JSON file). At the end of every run
that logs itself (``flowkit state runs``), the run's problems are read from
its own events in the state store: ``dead`` (a delivery that gave up, an order
mark-sent gave up on), ``failed`` (an inbox message file that failed, kept for
a retry or parked) and ``held`` (an order apply-rules held). When there is
something to say, the run's summary (command, target, run id, exit, counts,
then one line per key with the reason) is kept in the store first, then sent
as one message together with the summaries of earlier runs that could not be
sent. A send that fails is one warning on stderr; the summary stays pending
for the next run's alert. Nothing here changes a run's exit code.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flowkit.config import Config
from flowkit.errors import FlowkitError
from flowkit.records import Record, make_record
from flowkit.secrets import redact_text, scrub
from flowkit.store import Store, now
from flowkit.store import alerts as ledger

KINDS = ("dead", "down", "failed", "held")
SHOWN = (*KINDS, "recovered")  # what a message counts: a destination told down that came back is "recovered"
DOWN_AFTER = 900.0  # seconds a destination fails before it is told down (a blip at 03:00 pages nobody)
LINES = 50  # lines per run in a message; the rest are counted
RUNS = 50  # runs per message; older pending ones first, the rest go with the next run's alert
HINT = "What happened to one key: flowkit state show KEY; to the runs: flowkit state runs"


@dataclass(frozen=True)
class Settings:
    """``[alerts]``: where alerts go, which problems they tell, how often at most."""

    to: str
    on: tuple[str, ...] = KINDS
    min_interval: float = 0.0
    down_after: float = DOWN_AFTER


@dataclass(frozen=True)
class RunEnd:
    """How the run that just ended went (the run log's row, as App.run knows it)."""

    run_id: int
    command: str
    target: str | None
    status: str
    exit_code: int | None
    counts: dict[str, Any]


def settings(config: Config) -> Settings | None:
    """The config's ``[alerts]`` (checked with the config), or None when it names no destination."""
    table = config.section("alerts")
    if not table.get("to"):
        return None
    on = table.get("on")
    return Settings(
        to=str(table["to"]),
        on=tuple(k for k in KINDS if k in on) if isinstance(on, list) else KINDS,
        min_interval=float(table.get("min_interval") or 0),
        down_after=float(table.get("down_after", DOWN_AFTER)),
    )


def after_run(config: Config, store: Store, end: RunEnd, *, warn: bool = True) -> None:
    """Keep and send the alert of the run ``end`` (with the pending ones); never raises a flowkit error."""
    chosen = settings(config)
    if chosen is None:
        return
    try:
        summary = collect(store, end, chosen.on, down=_down_lines(config, chosen))
        if summary is not None:
            ledger.add(store, end.run_id, command=end.command, target=end.target, problems=summary["total"], summary=summary)
        if end.status == "interrupted":  # stopped by a signal: no time for a send; the next run's alert carries it
            return
        counts = deliver(config, store, chosen, warn=warn)
        if summary is not None:
            counts["alert_problems"] = summary["total"]
        if any(counts.values()):
            ledger.note(store, end.run_id, counts)
    except Exception as exc:  # the store failing now (or a bug here): said, and the run's outcome stands
        if warn:
            _warn(f"the alert of run {end.run_id} stopped: {_reason(exc)} (its events are in the state store)", chosen.to)


def _down_lines(config: Config, chosen: Settings) -> Any:
    """The ``down`` lines of a run (flowkit/alerts_down.py), when ``on`` asks for them."""
    if "down" not in chosen.on:
        return None
    from functools import partial

    from flowkit.alerts_down import lines

    names = [str(name) for name in config.section("destinations")]
    return partial(lines, down_after=chosen.down_after, destinations=names)


def collect(store: Store, end: RunEnd, on: tuple[str, ...], *, down: Any = None) -> dict[str, Any] | None:
    """What the run's alert says (secrets masked), or None when the run had nothing to tell.

    ``down``, when given, makes the ``down`` lines from the run's failed deliveries (``alerts_down.lines``).
    """
    found: Counter[str] = Counter()
    lines: list[dict[str, Any]] = []
    files: dict[str, int | None] = {}  # inbox key -> its line: a file that failed, then was parked, is one problem
    failed: list[tuple[str, str, dict[str, Any]]] = []  # deliveries that failed in this run: is a destination down?
    for key, command, event, detail, at in ledger.events(store, end.run_id):
        if down is not None and event == "failed" and "destination" in detail:
            failed.append((key, at, detail))
        kind = _kind(key, event)
        if kind is None or kind not in on:
            continue
        line = {"on": kind, **describe(key, command, event, detail)}
        if key in files:
            if (index := files[key]) is not None:
                lines[index] = line  # told as it ended
            continue
        found[kind] += 1
        if key.startswith("inbox:"):
            files[key] = len(lines) if len(lines) < LINES else None
        if len(lines) < LINES:
            lines.append(line)
    told = down(store, end, failed) if down is not None else []
    found.update(line["on"] for line in told)
    lines = [*told, *lines]  # a destination down first: it is what holds everything else up
    if not found:
        return None
    summary = {
        "run": end.run_id,
        "command": end.command,
        "target": end.target,
        "host": os.uname().nodename,
        "status": end.status,
        "exit_code": end.exit_code,
        "ended_at": now(),
        "counts": {k: v for k, v in sorted(end.counts.items()) if isinstance(v, int) and not isinstance(v, bool) and v},
        "problems": {k: found[k] for k in SHOWN if found[k]},
        "total": sum(found.values()),
        "lines": lines,
        "more": sum(found.values()) - len(lines),
    }
    return dict(scrub(summary))


def _kind(key: str, event: str) -> str | None:
    """The ``on`` kind an event is, or None (a delivery merely failed: it is retried, not an alert)."""
    if event == "dead":
        return "dead"
    if event in ("held", "duplicate-held"):
        return "held"
    if event in ("failed", "attempt-failed") and key.startswith("inbox:"):
        return "failed"
    return None


def describe(key: str, command: str, event: str, detail: dict[str, Any]) -> dict[str, str]:
    """A problem as ``key``, ``what`` happened and the ``reason`` in words (the events' own texts)."""
    reason = str(detail.get("error") or detail.get("reason") or "no reason recorded")
    if key.startswith("inbox:"):
        name = key.partition(":")[2]
        if event == "failed":
            return {"key": name, "what": f"{command} inbox file, parked in failed/", "reason": reason}
        tries = f"attempt {detail['attempt']} of {detail['max_attempts']}" if "attempt" in detail else "failed"
        return {"key": name, "what": f"{command} inbox file, {tries}, kept for the next run", "reason": reason}
    if event == "dead" and "destination" in detail:
        return {"key": key, "what": f"delivery to {detail['destination']}", "reason": reason}
    if event == "dead":
        return {"key": key, "what": f"order given up by {command}", "reason": reason}
    rule = f" (rule: {detail['rule']})" if detail.get("rule") else ""
    what = "order held as a duplicate" if event == "duplicate-held" else "order held"
    return {"key": key, "what": f"{what} by {command}", "reason": reason + rule}


def deliver(config: Config, store: Store, chosen: Settings, *, warn: bool = True) -> dict[str, int]:
    """Send the pending alerts as one message, unless another run is sending or ``min_interval`` says wait."""
    if not ledger.waiting(store):  # the common case: nothing to send, no lock taken
        return {}
    from contextlib import ExitStack

    from flowkit.errors import TempFailError
    from flowkit.store.lock import exclusive

    wait = float(config.section("state").get("lock_timeout", 10))
    with ExitStack() as held:
        try:
            held.enter_context(exclusive(store.path, "alerts", wait=wait))
        except TempFailError:  # another run is sending: it, or the next run, takes these too
            counts = {"alerts_pending": ledger.waiting(store)}
        else:
            counts = _send_pending(config, store, chosen, warn=warn)
    return counts


def _send_pending(config: Config, store: Store, chosen: Settings, *, warn: bool) -> dict[str, int]:
    waiting = ledger.pending(store, RUNS)
    if not waiting:
        return {}
    last = ledger.last_sent(store)
    if chosen.min_interval and last is not None and _age(last) < chosen.min_interval:
        return {"alerts_pending": ledger.waiting(store)}
    runs = [row["summary"] for row in waiting]
    ids = [int(row["run_id"]) for row in waiting]
    try:
        ref = send(config, chosen.to, runs, more=ledger.waiting(store) - len(ids))
    except Exception as exc:  # any failure of the send: said once, kept for the next run
        error = redact_text(_reason(exc))
        ledger.settle(store, ids, destination=chosen.to, error=error)
        if warn:
            which = f"run {ids[0]}" if len(ids) == 1 else f"runs {', '.join(map(str, ids))}"
            _warn(f"alert not sent to {chosen.to}: {error}; the problems of {which} are kept for the next run's alert", chosen.to)
        return {"alerts_pending": ledger.waiting(store)}
    ledger.settle(store, ids, destination=chosen.to, remote_ref=ref)
    from flowkit.log import LOG

    LOG.info("alert sent to %s (%s): runs %s", chosen.to, ref, ids, extra={"event": "alert-sent", "destination": chosen.to})
    return {"alerts_sent": 1, "alerts_pending": ledger.waiting(store)}


def _age(stamp: str) -> float:
    return time.time() - datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FlowkitError):  # without its hint ("rerun later"): the next run's alert retries
        text = exc.format_message()
        return text.removesuffix(f" ({redact_text(exc.hint)})") if exc.hint else text
    from flowkit.reasons import words

    return words(exc) or f"{type(exc).__name__}: {exc}"


def _warn(text: str, destination: str) -> None:
    from flowkit import log

    log.emit(f"flowkit: warning: {text}", event="alert-not-sent", level="warning", destination=destination)


def send(config: Config, to: str, runs: list[dict[str, Any]], *, more: int = 0) -> str:
    """Send one message telling of ``runs`` to the destination ``to``; returns what it confirmed."""
    from flowkit.transports import destination, open_transport

    spec = destination(config, to)
    email = spec.get("type") == "email"
    record, name, data = message(runs, more=more, as_text=email)
    if email:  # the message is the mail's body, whatever the destination's payload settings
        spec = {**spec, "subject": "{meta.subject}", "inline": True, "attach": False}
        spec.pop("template", None)
    transport = open_transport(spec, config)
    transport.open()
    try:
        return transport.put(name, data, record).remote_ref
    finally:
        transport.close()


def message(runs: list[dict[str, Any]], *, more: int = 0, as_text: bool = True) -> tuple[Record, str, bytes]:
    """(record, file name, bytes) of one alert telling of ``runs``: plain text for a mail, else JSON."""
    latest = runs[-1]
    key = f"run-{latest['run']}"
    subject, text = title(runs), redact_text(body(runs, more))
    meta = {"subject": subject, "command": latest["command"], "run": latest["run"], "runs": [r["run"] for r in runs]}
    if as_text:
        return make_record("alert", key, text, type="text/plain", meta=meta), f"flowkit-alert-{key}.txt", text.encode()
    document = {"flowkit": "alert/1", "subject": subject, "text": text, "runs": runs, "more_runs_waiting": more}
    data = json.dumps(document, ensure_ascii=False, indent=2).encode()
    return make_record("alert", key, document, meta=meta), f"flowkit-alert-{key}.json", data


def _what(problems: dict[str, int]) -> str:
    return ", ".join(f"{problems[k]} {k}" for k in SHOWN if problems.get(k))


def _run_name(run: dict[str, Any]) -> str:
    return f"{run['command']}{' ' + str(run['target']) if run.get('target') else ''} run {run['run']}"


def title(runs: list[dict[str, Any]]) -> str:
    """The subject: what the latest run had, and how many earlier runs the message also tells of."""
    if len(runs) == 1:
        return f"flowkit alert: {_run_name(runs[0])}: {_what(runs[0]['problems'])}"
    total: Counter[str] = Counter()
    for run in runs:
        total.update(run["problems"])
    if total["down"]:  # a destination down in several runs is one destination down
        total["down"] = len({line["key"] for run in runs for line in run["lines"] if line["on"] == "down"})
    return f"flowkit alert: {len(runs)} runs: {_what(total)} (latest: {_run_name(runs[-1])})"


def _told_later(runs: list[dict[str, Any]]) -> list[set[str]]:
    """Per run, the destinations a later run of the message tells down again (only the latest word is shown)."""
    out: list[set[str]] = []
    seen: set[str] = set()
    for run in reversed(runs):
        out.append(set(seen))
        seen |= {line["key"] for line in run["lines"] if line["on"] == "down"}
    return out[::-1]


def body(runs: list[dict[str, Any]], more: int = 0) -> str:
    """The message: one section per run (oldest first), one line per problem, then where to look closer."""
    out = [f"flowkit on {runs[-1].get('host', '?')}: {title(runs).removeprefix('flowkit alert: ')}", ""]
    if len(runs) > 1:
        out += [f"{len(runs) - 1} earlier alert(s) could not be sent before; they are in this message.", ""]
    later, skipped = _told_later(runs), 0
    for n, run in enumerate(runs):
        shown = [line for line in run["lines"] if not (line["on"] == "down" and line["key"] in later[n])]
        if run["lines"] and not shown:
            skipped += 1  # it met destinations down that a later run of this message tells again
            continue
        code = "" if run.get("exit_code") is None else f", exit {run['exit_code']}"
        out.append(f"{_run_name(run)} ({run['status']}{code}), ended {run['ended_at']}")
        counts = ", ".join(f"{k} {v}" for k, v in run.get("counts", {}).items())
        out.append(f"  counts: {counts or 'none'}")
        out += [f"  {line['on']:<6} {line['key']}  {line['what']}: {line['reason']}" for line in shown]
        if run.get("more"):
            out.append(f"  … and {run['more']} more")
        out.append("")
    if skipped:
        out += [f"{skipped} earlier run(s) met the same destination(s) down: the latest run above tells it.", ""]
    if more > 0:
        out += [f"{more} more run(s)' alerts wait; they go with the next run's alert.", ""]
    out.append(HINT)
    return "\n".join(out) + "\n"
