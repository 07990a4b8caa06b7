"""Mark orders exported (or failed, or dead) from deliver's result records; tell the source too.

Example: flowkit query-orders --unsent | flowkit render | flowkit deliver --to mis | flowkit query-orders mark-sent
"""

from __future__ import annotations

import click

from flowkit.cli.app import get_app
from flowkit.cli.options import input_files


@click.command("mark-sent")
@input_files
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    metavar="N",
    help="Failed deliveries before an order is dead (default: [query-orders] max_attempts, else 5).",
)
@click.option("--no-source", is_flag=True, help="Only update the state store; do not call the source's mark-sent.")
def command(files: tuple[str, ...], max_attempts: int | None, no_source: bool) -> None:
    """Read deliver result records: delivered -> exported, failed -> attempt counted (dead after N).

    Result records are written back with meta.export_status added; other
    records pass through. For delivered orders whose source has a mark-sent
    call (Omnitron: PATCH is_send), the source is told too; a call that
    fails is retried by the next run. Each run's counts are kept as export
    history ('flowkit state runs', 'flowkit state show NUMBER').

    \b
    Example:
      flowkit deliver --to mis < payloads.ndjson | flowkit query-orders mark-sent
    """
    from flowkit import pipeline
    from flowkit.cli.console import summary
    from flowkit.query_orders.mark_sent import COMMAND, CONSUMES, MarkSent
    from flowkit.records import Reader, Writer
    from flowkit.store import exports

    app = get_app()
    configured = app.config.section("query-orders").get("max_attempts", 5)
    core = MarkSent(app.store(), app.config, max_attempts=max_attempts or int(configured), call_source=not no_source)
    reader = Reader(
        files, raw_kind="result", raw_key=lambda body, stem: str(body.get("key", stem)) if isinstance(body, dict) else stem
    )
    with app.run(COMMAND, core.counts):
        try:
            for number, error in core.settle_owed() if not no_source else []:
                pipeline.report(f"order {number!r}", error)
            tally = pipeline.run(reader, Writer(mode="record"), core.process, consumes=CONSUMES, command=COMMAND)
        finally:
            core.close()
            exports.add_history(app.store(), COMMAND, None, core.counts)
        text = ", ".join(f"{k} {v}" for k, v in core.counts.items() if v) or "nothing to do"
        summary(f"mark-sent: {text}", counts=dict(core.counts))
        pipeline.finish(tally)
