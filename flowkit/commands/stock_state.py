"""``flowkit state stock``: the stock ledger of one target.

Example: flowkit state stock --target web --sku TSHIRT-RED-M
"""

from __future__ import annotations

import json
import sys

import click

from flowkit.cli.app import get_app


@click.command("stock")
@click.option("--target", required=True, metavar="NAME", help="The ledger to list (channel/destination).")
@click.option("--sku", metavar="SKU", help="Only this SKU (all its sources).")
@click.option("--json", "as_json", is_flag=True, help="JSON lines even on a terminal.")
def command(target: str, sku: str | None, as_json: bool) -> None:
    """List the stock ledger: sku, source, last seq, qty, in stock, updated.

    JSON lines on a pipe, a table on a terminal.

    \b
    Example:
      flowkit state stock --target web --sku TSHIRT-RED-M
    """
    from flowkit.cli.console import is_tty, table
    from flowkit.store import stock

    items = list(stock.rows(get_app().store(), target, sku))
    if as_json or not is_tty(sys.stdout):
        for item in items:
            click.echo(json.dumps(item, ensure_ascii=False))
        return
    rows = [(i["sku"], i["source"], i["last_seq"], i["qty"], "yes" if i["in_stock"] else "no", i["updated_at"]) for i in items]
    table(f"stock ledger {target}", ("sku", "source", "last seq", "qty", "in stock", "updated"), rows, to_stdout=True)
