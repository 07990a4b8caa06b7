"""``flowkit state exports``: the export history, one line per query-orders or mark-sent run.

Example: flowkit state exports --limit 10
"""

from __future__ import annotations

import json
import sys

import click

from flowkit.cli.app import get_app

COLUMNS = ("id", "run_id", "at", "command", "source", "emitted", "delivered", "duplicates", "failed", "dead", "skipped")


@click.command("exports")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many recent runs.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines even on a terminal.")
def command(limit: int, as_json: bool) -> None:
    """List the export history: orders emitted, delivered, duplicates, failed and dead per run.

    Kept apart from the run log, and never purged. A table on a terminal,
    JSON lines on a pipe.

    \b
    Example:
      flowkit state exports --limit 5
    """
    from flowkit.cli.console import is_tty, table
    from flowkit.store import exports

    rows = exports.history(get_app().store(), limit)
    if as_json or not is_tty(sys.stdout):
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    table("export history", COLUMNS, [[row[c] for c in COLUMNS] for row in rows], to_stdout=True)
