"""``flowkit state exports``: the export history, one line per query-orders or mark-sent run.

Example: flowkit state exports --limit 10
"""

from __future__ import annotations

import json
import sys

import click

from flowkit.cli.app import get_app

COLUMNS = ("id", "run_id", "at", "command", "source", "emitted", "delivered", "duplicates", "failed", "dead", "skipped")
PRODUCT_COLUMNS: tuple[str, ...] = ("id", "run_id", "at", "command", "source", "emitted", "created", "updated")
PRODUCT_COLUMNS += ("delivered", "duplicates", "failed", "skipped", "reset")


@click.command("exports")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many recent runs.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines even on a terminal.")
@click.option("--products", is_flag=True, help="The product export history (query-products, its mark-sent, resets).")
def command(limit: int, as_json: bool, products: bool) -> None:
    """List the export history: orders emitted, delivered, duplicates, failed and dead per run.

    With --products, the products' history: emitted (created, updated),
    delivered, duplicates, failed, skipped and reset per run.

    Kept apart from the run log, and never purged. A table on a terminal,
    JSON lines on a pipe.

    \b
    Example:
      flowkit state exports --limit 5
      flowkit state exports --products --json
    """
    from flowkit.cli.console import is_tty, table
    from flowkit.store import exports
    from flowkit.store import products as product_store

    store = get_app().store()
    rows = product_store.history(store, limit) if products else exports.history(store, limit)
    if as_json or not is_tty(sys.stdout):
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    columns = PRODUCT_COLUMNS if products else COLUMNS
    title = "product export history" if products else "export history"
    table(title, columns, [[row[c] for c in columns] for row in rows], to_stdout=True)
