"""Fetch products from a source, keep their export state in the store, and emit flowkit.product/1 records.

Example: flowkit query-products --source shop --changed | flowkit render --format orderflow | flowkit deliver --to wms
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from flowkit.cli.app import get_app
from flowkit.cli.groups import Group
from flowkit.cli.options import comma_list, source_name

if TYPE_CHECKING:
    from flowkit.query_products.core import Wanted
    from flowkit.sources.products import ProductQuery

TYPES = ("simple", "configurable", "bundle", "grouped", "virtual", "downloadable", "other")


def _types(value: str) -> tuple[str, ...]:
    if value.strip() == "any":
        return ()
    types = comma_list(value)
    unknown = [t for t in types if t not in TYPES]
    if unknown or not types:
        raise click.UsageError(f"--type {value!r}: a comma list of {', '.join(TYPES)}, or any")
    return types


@click.group("query-products", cls=Group, invoke_without_command=True)
@click.option("--source", metavar="NAME|DIR", help="A [sources.NAME] from the config, or a folder of product files.")
@click.option("--changed", is_flag=True, help="Only products not exported as they are now: new, changed, failed.")
@click.option("--sku", metavar="SKUS", help="Only these SKUs (comma list); alone: whatever their export state.")
@click.option("--all", "all_", is_flag=True, help="Every product of the source, whatever its export state.")
@click.option("--type", "type_", default="simple", show_default=True, metavar="TYPES", help="Product types (comma list), or any.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Emit at most N products (batch size).")
@click.option("--raw", is_flag=True, help="Print the one canonical product (with --sku) as plain JSON; queue nothing.")
@click.option("--dry-run", is_flag=True, help="Look only: print what the query would emit, record nothing.")
@click.option(
    "--requeue-after",
    type=click.FloatRange(min=0),
    default=600,
    show_default=True,
    metavar="SECONDS",
    help="With --changed, re-emit a product queued by a pipeline still running only after SECONDS.",
)
@click.pass_context
def command(
    ctx: click.Context,
    source: str | None,
    changed: bool,
    sku: str | None,
    all_: bool,
    type_: str,
    limit: int | None,
    raw: bool,
    dry_run: bool,
    requeue_after: float,
) -> None:
    """Emit the products of a source as flowkit.product/1 records (simple products by default).

    Every product read is recorded in the state store with a fingerprint of
    its data (not the source's timestamp): new and changed ones are pending.
    An emitted product is queued, meta.operation saying create (never
    exported) or update; 'flowkit query-products mark-sent' marks it exported
    or failed from deliver's results.

    \b
    Example:
      flowkit query-products --source shop --changed | flowkit render --format orderflow
      flowkit query-products --source samples/products --sku FLY-A5-350 --raw
    """
    if ctx.invoked_subcommand is not None:
        return
    skus = comma_list(sku)
    if not (changed or all_ or skus):
        raise click.UsageError("say which products: --changed, --sku SKUS or --all")
    if all_ and (changed or skus):
        raise click.UsageError("--all takes every product: give it alone, or --changed / --sku instead")
    if raw and len(skus) != 1:
        raise click.UsageError("--raw prints one product: give --sku SKU")
    from flowkit.query_products.core import Wanted
    from flowkit.sources.products import ProductQuery

    query = ProductQuery(skus=skus, types=_types(type_), limit=1 if raw else limit)
    wanted = Wanted(changed=changed, all=all_, requeue_after=requeue_after)
    _run(source_name(source), query, wanted, raw=raw, dry=dry_run)


def _run(name: str, query: ProductQuery, wanted: Wanted, *, raw: bool, dry: bool) -> None:
    from flowkit.query_products.core import COMMAND, Run
    from flowkit.records import Writer
    from flowkit.sources.products import open_product_source
    from flowkit.store import products
    from flowkit.store.lock import exclusive

    app = get_app()
    source = open_product_source(app.config, name)
    writer = Writer(mode="raw" if raw else "record", pretty=True if raw else None)
    run = Run(source, app.store(), query, wanted, queue=not raw, dry=dry)
    try:
        if dry:  # a look changes nothing: it neither waits on the lock nor enters the run log
            run.emit(writer)
            _check(run.counts, query, name, raw=raw, found=run.found)
            return
        with exclusive(app.state_path, COMMAND, wait=app.lock_timeout), app.run(COMMAND, run.counts, target=name):
            try:
                run.emit(writer)
            finally:
                products.add_history(app.store(), COMMAND, name, run.counts)
            _check(run.counts, query, name, raw=raw, found=run.found)
    finally:
        source.close()


def _check(counts: dict[str, int], query: ProductQuery, name: str, *, raw: bool, found: set[str]) -> None:
    """Exit 1 when some documents failed, 65 when all did or --raw found nothing.

    A source with no product at all, or a --sku it does not have, is a warning: nothing is wrong with the
    run, but a cron job that exports nothing for a mistyped path or SKU should say so.
    """
    from flowkit.errors import InputError, PartialError
    from flowkit.log import LOG

    if counts["failed"]:
        message = f"{counts['failed']} product document(s) failed, {counts['emitted']} emitted"
        raise PartialError(message) if counts["emitted"] else InputError(message)
    if raw and not counts["emitted"]:
        raise InputError(f"product {query.skus[0]} not found in source {name!r} (or not of the asked --type)")
    missing = [sku for sku in query.skus if sku not in found]
    if missing:
        LOG.warning("query-products: --sku %s not found in source %r (or not of the asked --type)", ",".join(missing), name)
    elif not query.skus and not counts["emitted"] + counts["skipped"]:
        LOG.warning("query-products: source %r has no products: nothing read, nothing to export", name)
