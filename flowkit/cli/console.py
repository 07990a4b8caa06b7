"""Human output on stderr: rich tables and progress, only on a terminal.

rich is imported only when a terminal will see the result, so pipes and cron
runs never pay for it and never receive decoration.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import click

T = TypeVar("T")


def is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def human() -> bool:
    """True when stderr is a terminal, the user did not ask for quiet, and log lines are not JSON."""
    from flowkit import log

    ctx = click.get_current_context(silent=True)
    quiet = bool(ctx and ctx.obj is not None and getattr(ctx.obj, "verbosity", 0) < 0)
    return not quiet and not log.is_json() and is_tty(sys.stderr)


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, to_stdout: bool = False) -> None:
    """A rich table on the terminal (stderr unless ``to_stdout``)."""
    from rich.console import Console
    from rich.table import Table

    grid = Table(title=title or None, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")  # wrapped, never cut: ids and times are read in full
    for row in rows:
        grid.add_row(*("" if v is None else str(v) for v in row))
    Console(stderr=not to_stdout).print(grid)


def progress(items: Iterable[T], *, label: str, total: int | None = None) -> Iterator[T]:
    """Iterate ``items``, drawing a progress bar on a terminal stderr only."""
    if not human():
        yield from items
        return
    from rich.progress import Progress

    with Progress(transient=True, console=None) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)


def summary(text: str, **fields: Any) -> None:
    """The end-of-run summary on stderr (unless quiet), one shape for every command.

    One line on a pipe; on a terminal that line and a table of ``counts``; a JSON
    object with ``fields`` (``counts``, ``destination``, …) under ``--log-format json``.
    """
    ctx = click.get_current_context(silent=True)
    if ctx and ctx.obj is not None and getattr(ctx.obj, "verbosity", 0) < 0:
        return
    counts = fields.get("counts")
    from flowkit import log

    log.emit(text, event="summary", **fields)
    if counts and human():  # a person at a terminal: the line, then the same figures as a table
        table("", ("result", "count"), [(name, f"{value:,}") for name, value in counts.items() if isinstance(value, int)])
