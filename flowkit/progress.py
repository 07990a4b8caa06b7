"""A run's progress on a terminal: a spinner with the count, rate and elapsed time; a bar and ETA when the total is known.

Shown only when stderr is a terminal, not under ``-q`` and not with JSON log
lines (``flowkit.log.for_people``); on a pipe or in cron nothing is drawn and
rich is never imported. The record loop (``pipeline.run``) updates it once per
commit, so it costs nothing per record. It is transient: the end-of-run
summary line replaces it.
"""

from __future__ import annotations

import sys
from typing import Any


def wanted() -> bool:
    """True when a person watches stderr: a terminal, not quiet, not JSON lines."""
    from flowkit import log

    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and log.for_people()


class Display:
    """One progress line on stderr (rich), updated with the number of items done."""

    def __init__(self, label: str, total: int | None = None, unit: str = "records") -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            ProgressColumn,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.0f} {unit}/s" if speed else "", style="progress.data.speed")

        count = TextColumn(f"{{task.completed:,.0f}}{'/{task.total:,.0f}' if total else ''} {unit}")
        columns: list[Any] = [SpinnerColumn(), TextColumn("[bold]{task.description}"), count, Rate(), TimeElapsedColumn()]
        if total:
            columns[2:2] = [BarColumn(), TaskProgressColumn()]
            columns.append(TimeRemainingColumn())
        self._progress = Progress(*columns, console=Console(stderr=True), transient=True)
        self._task = self._progress.add_task(label, total=total)
        self._progress.start()

    def update(self, done: int) -> None:
        self._progress.update(self._task, completed=done)

    def close(self) -> None:
        self._progress.stop()


def for_run(label: str, total: int | None = None, unit: str = "records") -> Display | None:
    """A progress display when a person watches, else None."""
    return Display(label, total, unit) if wanted() else None
