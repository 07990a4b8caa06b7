"""Release an order held by apply-rules so it can be exported (``flowkit state release``).

Example: flowkit state release 1203 --note "checked with the customer"
"""

from __future__ import annotations

import json

import click

from flowkit.cli.app import get_app


@click.command("release")
@click.argument("orders", nargs=-1, required=True, metavar="ORDER...")
@click.option("--note", help="Why it was released (kept in the order's story).")
def command(orders: tuple[str, ...], note: str | None) -> None:
    """Release held ORDERs: export status back to pending, hold cleared.

    apply-rules does not hold a released order again (a cancel rule still
    applies). Prints one JSON line per released order.

    \b
    Example:
      flowkit state release 1203 --note "quantity confirmed by phone"
      flowkit state show 1203
    """
    from flowkit.store import rules as rules_store

    store = get_app().store()
    for number in orders:
        result = rules_store.release(store, number, note=note, command="state release")
        click.echo(json.dumps(result, ensure_ascii=False))
