"""Record despatched shipments against orders and emit the postbacks the shop needs.

Example: flowkit import-shipment --postback magento despatch.ndjson | flowkit deliver --to shop
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from flowkit.cli.options import inbox_options, input_files, messages_or_orders_only

if TYPE_CHECKING:
    from flowkit.import_shipment.core import Options
    from flowkit.pipeline import Tally
    from flowkit.records import Writer

POSTBACKS = ("magento", "gelato", "infigo", "json")


@click.command("import-shipment")
@input_files
@click.option(
    "--orders",
    "order_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="Canonical order file(s) to record in the store first (repeatable).",
)
@click.option(
    "--target",
    default="default",
    show_default=True,
    help="Namespace of the sender's message ids (e.g. the warehouse), for dedupe.",
)
@click.option(
    "--postback", type=click.Choice(POSTBACKS), help="Also write a postback payload record per shipment, ready for deliver."
)
@click.option(
    "--ship-all-remaining", is_flag=True, help="A message with no lines ships every unit that remains (default: refused)."
)
@inbox_options(order="numeric (the first number of the name)", batch_size=100, max_attempts=5)
@click.option("--raw", "raw", is_flag=True, help="Write bodies only (one JSON per line), not records.")
def command(
    files: tuple[str, ...],
    order_files: tuple[str, ...],
    target: str,
    postback: str | None,
    ship_all_remaining: bool,
    from_dir: str | None,
    batch_size: int,
    max_attempts: int,
    raw: bool,
) -> None:
    """Apply shipment messages (JSON, NDJSON, records, OrderFlow SOAP, GelatoConnect postbacks).

    Each message is validated whole against the order in the state store and
    recorded in one transaction: one shipment per source, shipped quantities,
    order status (partially_shipped, shipped). A failed message writes nothing;
    a resent message is a duplicate. One shipment-result record per message on
    stdout, plus postback payload records with --postback.

    \b
    Example:
      flowkit import-shipment --orders orders.ndjson samples/shipments/despatch.ndjson
      flowkit import-shipment --from-dir inbox/ --postback magento | flowkit deliver --to shop
    """
    from flowkit.cli.app import get_app
    from flowkit.import_shipment.core import Options
    from flowkit.import_shipment.decode import record_orders
    from flowkit.pipeline import finish
    from flowkit.records import Writer

    app = get_app()
    only_orders = messages_or_orders_only(files, order_files, from_dir)
    options = Options(
        target=target,
        postback=postback,
        ship_all_remaining=ship_all_remaining,
        carrier_codes=_carrier_codes(app.config.section("import-shipment")),
    )
    counts: dict[str, int] = {}
    writer = Writer(mode="raw" if raw else "record", pretty=False)
    with app.run("import-shipment", counts, target=target):
        if order_files:
            counts["orders_loaded"] = record_orders(app.store(), order_files, "import-shipment")
        if only_orders:  # --orders on a terminal with no messages: just record the orders
            return
        if from_dir is not None:
            tally = _inbox(Path(from_dir), writer, options, batch_size, max_attempts)
        else:
            from flowkit.import_shipment.stream import run_files

            tally = run_files(app.store(), files, writer, options)
        counts.update(tally.as_dict())
        finish(tally)


def _carrier_codes(section: dict[str, object]) -> dict[str, str]:
    table = section.get("carrier_codes") or {}
    return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {}


def _inbox(folder: Path, writer: Writer, options: Options, batch_size: int, max_attempts: int) -> Tally:
    from flowkit.cli.app import get_app
    from flowkit.import_shipment.stream import run_inbox
    from flowkit.store.lock import exclusive

    app = get_app()
    with exclusive(app.state_path, "import-shipment", wait=app.lock_timeout):
        return run_inbox(app.store(), folder, writer, options, batch_size=batch_size, max_attempts=max_attempts)
