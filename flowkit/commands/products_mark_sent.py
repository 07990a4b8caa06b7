"""Mark products exported (or failed, with the reason) from deliver's result records.

Example: flowkit query-products --changed | flowkit render | flowkit deliver --to wms | flowkit query-products mark-sent
"""

from __future__ import annotations

import click

from flowkit.cli.app import get_app
from flowkit.cli.options import input_files


@click.command("mark-sent")
@input_files
def command(files: tuple[str, ...]) -> None:
    """Read deliver result records: delivered -> exported (with the date), failed -> failed with the reason.

    A failed product goes again on the next 'query-products --changed' run.
    A product that changed while its delivery was on its way stays pending:
    the next run sends the change as an update. Result records are written
    back with meta.export_status added; records of other keys pass through.
    Each run's counts are kept ('flowkit state exports --products').

    \b
    Example:
      flowkit deliver --to wms < product-payloads.ndjson | flowkit query-products mark-sent
    """
    from flowkit import pipeline
    from flowkit.cli.console import summary
    from flowkit.query_products.mark_sent import COMMAND, CONSUMES, MarkSent
    from flowkit.records import Reader, Writer
    from flowkit.store import products

    app = get_app()
    core = MarkSent(app.store())
    reader = Reader(
        files, raw_kind="result", raw_key=lambda body, stem: str(body.get("key", stem)) if isinstance(body, dict) else stem
    )
    with app.run(COMMAND, core.counts):
        try:
            tally = pipeline.run(reader, Writer(mode="record"), core.process, consumes=CONSUMES, command=COMMAND, window=core)
        finally:
            products.add_history(app.store(), COMMAND, None, core.counts)
        text = ", ".join(f"{k} {v}" for k, v in core.counts.items() if v) or "nothing to do"
        summary(f"products mark-sent: {text}", counts=dict(core.counts))
        pipeline.finish(tally)
