"""Render canonical orders into the standard XML/JSON payload or an OrderFlow import.

Example: flowkit render samples/orders/1203.json --format xml --payment
"""

from __future__ import annotations

import sys
from typing import Any

import click
from click.core import ParameterSource

from flowkit.cli.app import get_app
from flowkit.cli.options import choose_mode, input_files, output_mode

# Click parameters that steer the command itself; all the others are render options.
COMMAND_PARAMS = ("files", "example", "output")


def explicit_flags(ctx: click.Context) -> dict[str, Any]:
    """Render options given on the command line or in FLOWKIT_RENDER_* (these beat per-record overrides)."""
    given = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    names = [p.name for p in ctx.command.params if p.name and p.name not in COMMAND_PARAMS]
    return {name: ctx.params[name] for name in names if ctx.get_parameter_source(name) in given}


@click.command("render")
@input_files
@click.option(
    "--format",
    "format",
    type=click.Choice(["xml", "json", "orderflow"]),
    default="xml",
    show_default=True,
    help="Standard XML, standard JSON, or an OrderFlow WMS import document.",
)
@click.option("--payment/--no-payment", default=False, help="Add the Payment list (11 fields per transaction).")
@click.option("--history/--no-history", default=False, help="Add each line's job History.")
@click.option(
    "--approval-history/--no-approval-history",
    default=False,
    help="Add each line's ApprovalHistory (approval statuses only).",
)
@click.option("--extra-data/--no-extra-data", default=True, help="Add ExtraData on the order and its lines.")
@click.option(
    "--exclude-extra",
    "extra_data_exclude",
    multiple=True,
    metavar="KEY|REGEX",
    help="Leave out extra data whose key equals KEY or fully matches REGEX (repeatable).",
)
@click.option(
    "--product",
    "products",
    multiple=True,
    metavar="ID",
    help="Only lines whose external product id or SKU is ID (repeatable).",
)
@click.option(
    "--attribute",
    "attributes",
    multiple=True,
    metavar="NAME",
    help="Only these product attributes (repeatable; default all).",
)
@click.option("--assets/--no-assets", default=True, help="Links to each line's artwork, print files and previews.")
@click.option("--job-ticket/--no-job-ticket", default=True, help="Links to job ticket documents.")
@click.option("--invoice/--no-invoice", default=True, help="Links to invoice documents.")
@click.option("--packing-slip/--no-packing-slip", default=True, help="Links to packing slip documents.")
@click.option(
    "--escape-non-ascii/--no-escape-non-ascii",
    default=False,
    help="Write every non-ASCII character as &#NNN; (XML) or \\uXXXX (JSON).",
)
@click.option("--include-held", is_flag=True, default=False, help="Render held orders too (default: skip them).")
@click.option(
    "--include-image/--no-include-image",
    default=False,
    help="Products: add the image URLs (OrderFlow: the main one as imageReference).",
)
@click.option("--indent/--compact", default=True, help="Indented documents (default) or one line.")
@click.option(
    "--orderflow-type",
    type=click.Choice(["order", "product"]),
    default="order",
    show_default=True,
    help="OrderFlow export: the order, or the products of its lines.",
)
@click.option(
    "--orderflow-operation",
    type=click.Choice(["insert", "update", "merge"]),
    default="insert",
    show_default=True,
    help="OrderFlow import operation.",
)
@click.option(
    "--example",
    type=click.Choice(["xml", "json"]),
    default=None,
    help="Print a complete example payload (every node on) from the sample order and exit.",
)
@output_mode
@click.pass_context
def command(ctx: click.Context, /, files: tuple[str, ...], example: str | None, output: str | None, **_options: Any) -> None:
    """Render order records (or one order document) into payloads.

    Order records in, payload records out (key and meta kept; meta gains
    format and filename). A plain order document in gives the plain payload
    out. Held orders become a 'skipped' result unless --include-held. Options
    come from [render], then [channels.X.render] / [suppliers.X.render], then
    flags. Product records (query-products) become the standard product
    payload or OrderFlow's product import, create or update as their
    meta.operation says.

    \b
    Example:
      flowkit render samples/orders/1203.json --payment --history
      flowkit query-orders --unsent | flowkit render --format json | flowkit deliver --to mis
      flowkit render --example xml > example.xml
      flowkit render --format orderflow --include-image samples/products/FLY-A5-350.json
    """
    from flowkit import model, pipeline
    from flowkit.errors import ConfigError
    from flowkit.records import Reader
    from flowkit.render.core import Renderer, RenderWriter, order_key
    from flowkit.render.core import example as example_payload

    renderer = Renderer(get_app().config, explicit_flags(ctx))
    try:
        renderer.check_flags()
    except ConfigError as exc:
        raise click.UsageError(exc.format_message().replace("command line: ", "", 1)) from exc
    if example:
        sys.stdout.buffer.write(example_payload(example, renderer.options({})))
        return
    reader = Reader(files, raw_kind="order", raw_key=order_key, vouch=model.vouched)
    renderer.vouched = reader.vouched
    writer = RenderWriter(mode=choose_mode(reader.mode, output), indent=bool(ctx.params["indent"]))
    tally = pipeline.run(reader, writer, renderer, consumes=("order", "product"), command="render")
    if reader.mode == "raw" and renderer.last_skip:
        key, reason = renderer.last_skip
        hint = " (--include-held renders held orders)" if reason.startswith("on hold") else ""
        from flowkit import log

        log.emit(f"flowkit: order {key} skipped: {reason}{hint}", event="skipped", level="warning", key=key)
    pipeline.finish(tally)
