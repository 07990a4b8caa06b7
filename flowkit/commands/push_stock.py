"""Carry stock levels to a target so that old stock never overwrites new.

Example: flowkit push-stock samples/stock/message-1001.json --target web
"""

from __future__ import annotations

from typing import Any

import click

from flowkit.cli.app import get_app
from flowkit.cli.options import inbox_options, input_files

ADJUSTMENTS = ("none", "unsent_orders", "unsent_orders_and_quotes")


@click.command("push-stock")
@input_files
@click.option(
    "--target",
    metavar="NAME",
    help="The ledger (channel/destination) lines are decided against (default: the --to destination's name).",
)
@click.option(
    "--to",
    metavar="DESTINATION",
    help="Send accepted lines to this destination (name or URL); the ledger advances only for chunks it confirmed.",
)
@click.option(
    "--message-format",
    type=click.Choice(["json", "soap"]),
    default="json",
    show_default=True,
    help="Format of the outgoing messages.",
)
@click.option("--chunk-size", type=click.IntRange(1, 10000), default=100, show_default=True, help="Lines per outgoing message.")
@click.option(
    "--full",
    "mode",
    flag_value="full",
    help="Input is a snapshot (sku,qty): send every SKU, assigning sequence ids; without FILES resend the whole ledger.",
)
@click.option(
    "--incremental",
    "mode",
    flag_value="incremental",
    help="Input is a snapshot: send only SKUs whose quantity changed since the last confirmed push, assigning sequence ids.",
)
@inbox_options(order="numeric message_seq", batch_size=50, max_attempts=3)
@click.option(
    "--adjustment",
    type=click.Choice(ADJUSTMENTS),
    default="none",
    show_default=True,
    help="Subtract unsent order units (and active quote units) from the received figure.",
)
@click.option(
    "--quotes",
    type=click.Path(dir_okay=False, exists=True),
    metavar="FILE",
    help="Active quotes/carts (CSV sku,qty,updated_at or JSON) for unsent_orders_and_quotes.",
)
@click.option(
    "--unsent-order-cutoff-days",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Only orders placed within this many days count as unsent.",
)
@click.option(
    "--active-quote-cutoff-days",
    type=click.FloatRange(min=0),
    default=7.0,
    show_default=True,
    help="Only quotes updated within this many days count as active.",
)
@click.option(
    "--unsent-order-status",
    "unsent_order_statuses",
    multiple=True,
    metavar="STATUS",
    help="Order statuses whose units count as unsent (repeatable; default: open statuses).",
)
@click.option("--allow-negative", is_flag=True, help="Keep negative results instead of clamping them to 0.")
@click.option(
    "--catalogue",
    type=click.Path(dir_okay=False, exists=True),
    metavar="FILE",
    help="Known SKUs (one per line or CSV with a sku column): other SKUs fail.",
)
@click.option(
    "--default-source", default="default", show_default=True, metavar="SOURCE", help="Source (warehouse) of lines that name none."
)
def command(files: tuple[str, ...], **options: Any) -> None:
    """Decide stock lines against the target's ledger and optionally send them on.

    Reads stock messages (NDJSON/JSON, stock records, CSV sku,qty,seq[,source],
    or the OrderFlow SOAP inventory message) and writes one stock-result record
    per line: success, duplicate, superseded, failure (or unchanged with
    --incremental). A summary goes to stderr.

    \b
    Example:
      flowkit push-stock samples/stock/message-1001.json --target web
      flowkit push-stock samples/stock/snapshot.csv --incremental --to shop-stock
      flowkit push-stock --from-dir inbox/stock --target web --batch-size 20
    """
    from flowkit.cli import console
    from flowkit.pipeline import finish, report
    from flowkit.push_stock.model import UNSENT_STATUSES
    from flowkit.push_stock.run import Options, push, target_of
    from flowkit.records import Writer
    from flowkit.store.lock import exclusive

    app = get_app()
    statuses = tuple(options.pop("unsent_order_statuses") or ()) or UNSENT_STATUSES
    opts = Options(**options, statuses=statuses)
    if opts.from_dir and files:
        raise click.UsageError("--from-dir reads the inbox: name no FILES with it")
    store = app.store()
    counts: dict[str, Any] = {}
    with (
        exclusive(app.state_path, f"push-stock-{_safe(target_of(opts))}", wait=app.lock_timeout),
        app.run("push-stock", counts, target=target_of(opts)),
    ):
        engine, tally = push(
            files, opts, store=store, config=app.config, writer=Writer(pretty=False), warn=lambda text: report("push-stock", text)
        )
        counts.update(engine.counts)
        _summary(engine.target, dict(engine.counts), console)
        finish(tally)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def _summary(target: str, counts: dict[str, int], console: Any) -> None:
    kinds = ("success", "duplicate", "superseded", "unchanged", "failure")
    parts = ", ".join(f"{counts.get(k, 0)} {k}" for k in kinds if counts.get(k) or k != "unchanged")
    shown = {k: counts.get(k, 0) for k in (*kinds, "messages", "duplicate_messages")}
    console.summary(
        f"push-stock: target {target}: {parts} ({counts.get('messages', 0)} message(s), "
        f"{counts.get('duplicate_messages', 0)} duplicate)",
        target=target,
        counts=shown,
    )
