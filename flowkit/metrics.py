"""The run's figures as a Prometheus text file, for node_exporter's textfile collector.

After each run that logs itself (``state runs``), ``--metrics-file PATH`` (or
``[metrics] file``) rewrites PATH from the state store: per command and target
(the destination or source it ran against) the last run's end, duration, exit
code and counts, the end of its last success and of its last run that
delivered something; the deliveries not delivered by destination and status;
the orders by export status; the runs whose alert (``[alerts]``) waits to be
sent. The whole file is derived from the store, so the commands of one
pipeline can share it: each writes the full picture, written to a temporary
file beside it and renamed, so the collector never reads half a file. Format: https://prometheus.io/docs/instrumenting/exposition_formats/
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from flowkit.errors import ConfigError, TempFailError
from flowkit.store.db import Store

_STATUSES = ("failed", "unknown", "dead", "sending", "reserved")
_EXPORT_STATUSES = ("pending", "queued", "exported", "failed", "dead", "held", "cancelled")


def _seconds(stamp: str | None) -> float | None:
    """An RFC 3339 time of the store as Unix seconds."""
    if not stamp:
        return None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{name}="{_label(value)}"' for name, value in labels.items()) + "}"


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))


class _Family:
    """One metric family: its HELP and TYPE lines, then its samples."""

    def __init__(self, name: str, kind: str, help_text: str) -> None:
        self.name, self.kind, self.help = name, kind, help_text
        self.samples: list[str] = []

    def add(self, value: float, **labels: str) -> None:
        self.samples.append(f"{self.name}{_labels(**labels) if labels else ''} {_number(value)}")

    def lines(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {self.kind}"
        yield from self.samples


def render(store: Store) -> str:
    """The exposition text for everything the store knows now."""
    from flowkit.store import metrics

    last_end = _Family("flowkit_last_run_timestamp_seconds", "gauge", "End of the last run of a command (Unix time).")
    duration = _Family("flowkit_last_run_duration_seconds", "gauge", "Wall time of the last run of a command.")
    exit_code = _Family("flowkit_last_run_exit_code", "gauge", "Exit code of the last run of a command (0: success).")
    success = _Family("flowkit_last_success_timestamp_seconds", "gauge", "End of the last run that exited 0 (Unix time).")
    delivered = _Family(
        "flowkit_last_delivered_timestamp_seconds", "gauge", "End of the last run that delivered at least one payload."
    )
    records = _Family("flowkit_last_run_records", "gauge", "Counts of the last run of a command, by outcome.")
    last = metrics.runs(store)
    for run in last:
        labels = {"command": run["command"], "target": run["target"]}
        end, start = _seconds(run["ended_at"]), _seconds(run["started_at"])
        if end is not None:
            last_end.add(end, **labels)
            if start is not None:
                duration.add(round(end - start, 6), **labels)
        if run["exit_code"] is not None:
            exit_code.add(run["exit_code"], **labels)
        if (ok := _seconds(run["last_success"])) is not None:
            success.add(ok, **labels)
        if (sent := _seconds(run["last_delivered"])) is not None:
            delivered.add(sent, **labels)
        for outcome, count in sorted(run["counts"].items()):
            if isinstance(count, int | float) and not isinstance(count, bool):
                records.add(count, **labels, outcome=str(outcome))
    open_ = _Family("flowkit_deliveries", "gauge", "Deliveries not delivered, by destination and status (dead: gave up).")
    seen: dict[str, dict[str, int]] = {run["target"]: {} for run in last if run["command"] == "deliver" and run["target"]}
    for destination, status, count in metrics.open_deliveries(store):
        seen.setdefault(destination, {})[status] = count
    for destination, counts in sorted(seen.items()):
        for status in _STATUSES:  # every status of a known destination, zeros included, so alerts see 0 not absence
            open_.add(counts.get(status, 0), destination=destination, status=status)
    orders = _Family("flowkit_orders", "gauge", "Orders in the state store by export status.")
    known = dict(metrics.orders(store))
    for status in _EXPORT_STATUSES:
        orders.add(known.get(status, 0), export_status=status)
    from flowkit.store.alerts import waiting

    alerts = _Family("flowkit_alerts_pending", "gauge", "Runs whose alert ([alerts]) no send has confirmed yet.")
    alerts.add(waiting(store))
    families = (last_end, duration, exit_code, success, delivered, records, open_, orders, alerts)
    return "\n".join(line for family in families if family.samples for line in family.lines()) + "\n"


def write(path: Path, store: Store) -> None:
    """Write the exposition file atomically (temporary file in the same folder, then rename)."""
    text = render(store)
    folder = path.parent
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError as exc:
        raise ConfigError(f"metrics file {path}: its folder does not exist") from exc
    except OSError as exc:
        raise TempFailError(f"metrics file {path}: cannot write in {folder}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, 0o644)  # the collector runs as another user
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise TempFailError(f"metrics file {path}: {exc.strerror or exc}") from exc
