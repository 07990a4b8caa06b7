"""Apply production status messages to orders, in order, and emit the postbacks the shop needs.

Example: flowkit import-status --postback magento statuses.ndjson | flowkit deliver --to shop-status
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from flowkit.cli.options import inbox_options, input_files, messages_or_orders_only

if TYPE_CHECKING:
    from flowkit.import_status.stream import Apply
    from flowkit.pipeline import Tally
    from flowkit.records import Writer

POSTBACKS = ("magento", "infigo", "gelato", "json")


@click.command("import-status")
@input_files
@click.option(
    "--orders",
    "orders",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="Canonical order file(s) to record in the store first (repeatable).",
)
@click.option(
    "--target",
    default="default",
    show_default=True,
    help="Namespace of the sender's message ids (e.g. the print house), for dedupe.",
)
@click.option("--postback", type=click.Choice(POSTBACKS), help="Also write a postback payload record per applied status.")
@inbox_options(order="numeric (the first number of the name)", batch_size=100, max_attempts=5)
@click.option("--raw", "raw", is_flag=True, help="Write bodies only (one JSON per line), not records.")
def command(
    files: tuple[str, ...],
    orders: tuple[str, ...],
    target: str,
    postback: str | None,
    from_dir: str | None,
    batch_size: int,
    max_attempts: int,
    raw: bool,
) -> None:
    """Apply production status messages to orders, in order, and write the postbacks for the shop.

    Messages: flowkit JSON, GelatoConnect status postbacks, Gelato order
    status events. Statuses (received, in_production, printed, shipped,
    delivered, cancelled, error) are applied per order or per line: a resent
    message is a duplicate, and a status older than the one applied, behind
    it in the lifecycle, or after a cancellation is stale; neither is posted.
    An unknown order fails and writes nothing. One status-result record per
    message on stdout, plus a postback payload record with --postback.

    \b
    Example:
      flowkit import-status --orders orders.ndjson samples/statuses/gelato-statuses.ndjson
      flowkit import-status --from-dir inbox/ --postback magento | flowkit deliver --to shop-status
    """
    from flowkit.cli.app import get_app
    from flowkit.import_shipment.decode import record_orders
    from flowkit.import_status.core import Options
    from flowkit.import_status.stream import Apply, run_files
    from flowkit.pipeline import finish
    from flowkit.records import Writer

    app = get_app()
    only_orders = messages_or_orders_only(files, orders, from_dir)
    section = app.config.section("import-status")
    options = Options(target=target, postback=postback, magento_statuses=_table(section.get("magento_statuses")))
    counts: dict[str, int] = {}
    writer = Writer(mode="raw" if raw else "record", pretty=False)
    with app.run("import-status", counts, target=target):
        if orders:
            counts["orders_loaded"] = record_orders(app.store(), orders, "import-status")
        if only_orders:  # --orders on a terminal with no messages: just record the orders
            return
        process = Apply(app.store(), options)
        if from_dir is not None:
            tally = _inbox(Path(from_dir), writer, process, batch_size, max_attempts)
        else:
            tally = run_files(app.store(), files, writer, process)
        counts.update(tally.as_dict())
        counts.update(process.results)
        finish(tally)


def _table(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _inbox(folder: Path, writer: Writer, process: Apply, batch_size: int, max_attempts: int) -> Tally:
    from flowkit.cli.app import get_app
    from flowkit.import_status.stream import run_inbox
    from flowkit.store.lock import exclusive

    app = get_app()
    with exclusive(app.state_path, "import-status", wait=app.lock_timeout):
        return run_inbox(app.store(), folder, writer, process, batch_size=batch_size, max_attempts=max_attempts)
