"""Fetch orders from a source, record them in the state store, and emit canonical order records.

Example: flowkit query-orders --source inbox --unsent | flowkit render | flowkit deliver --to mis
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from flowkit.cli.app import get_app
from flowkit.cli.groups import Group
from flowkit.cli.options import comma_list, source_name
from flowkit.errors import InputError

if TYPE_CHECKING:
    from flowkit.sources import Query


@click.group("query-orders", cls=Group, invoke_without_command=True)
@click.option("--source", metavar="NAME|DIR", help="A [sources.NAME] from the config, or a folder of order files.")
@click.option("--unsent", is_flag=True, help="Only orders not exported yet (store status and the source's flag).")
@click.option("--channel", metavar="IDS", help="Only these channels (comma list of ids or names).")
@click.option("--supplier", metavar="IDS", help="Only these suppliers (comma list of ids or names).")
@click.option(
    "--status",
    metavar="STATUSES",
    help="Only these statuses (canonical or the source's own; comma list). Naming 'cancelled' includes it.",
)
@click.option("--since", metavar="WHEN", help="Placed at or after WHEN: a date, an RFC 3339 time, or 30m/12h/7d.")
@click.option("--number", metavar="N", help="Only order number N.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Emit at most N orders (batch size).")
@click.option("--raw", is_flag=True, help="Print the one canonical order (with --number) as plain JSON.")
@click.option(
    "--dry-run", is_flag=True, help="Look only: print what the query would emit, queue nothing, record nothing, move no file."
)
@click.option(
    "--requeue-after",
    type=click.FloatRange(min=0),
    default=600,
    show_default=True,
    metavar="SECONDS",
    help="With --unsent, re-emit an order queued but never exported only after SECONDS.",
)
@click.option(
    "--ready",
    metavar="CHECKS",
    help="Emit only orders ready: paid, files (comma list; none: no check). The others stay pending, the reason on stderr.",
)
@click.pass_context
def command(
    ctx: click.Context,
    source: str | None,
    unsent: bool,
    channel: str | None,
    supplier: str | None,
    status: str | None,
    since: str | None,
    number: str | None,
    limit: int | None,
    raw: bool,
    dry_run: bool,
    requeue_after: float,
    ready: str | None,
) -> None:
    """Emit the orders of a source as flowkit.order/1 records (cancelled orders excluded).

    Every emitted order is recorded in the state store and marked queued;
    'flowkit query-orders mark-sent' later marks it exported or failed.
    To look by hand without taking orders from the next cron run, use
    --dry-run: nothing is recorded or moved.

    \b
    Example:
      flowkit query-orders --source shop --unsent --channel web --limit 100
      flowkit query-orders --source shop --unsent --dry-run
      flowkit query-orders --source samples/orders --number 1203 --raw
    """
    if ctx.invoked_subcommand is not None:
        return
    if raw and number is None:
        raise click.UsageError("--raw prints one order: give --number N")
    from flowkit.query_orders.core import parse_since
    from flowkit.sources import Query

    query = Query(
        number=number,
        channels=comma_list(channel),
        suppliers=comma_list(supplier),
        statuses=comma_list(status),
        since=parse_since(since),
        unsent=unsent,
        limit=1 if raw else limit,
    )
    _run(source_name(source), query, raw=raw, dry=dry_run, requeue_after=requeue_after, ready=ready)


def _run(name: str, query: Query, *, raw: bool, dry: bool, requeue_after: float, ready: str | None) -> None:
    from flowkit import pipeline
    from flowkit.errors import FlowkitError
    from flowkit.query_orders.core import COMMAND, Run
    from flowkit.query_orders.pause import Pauses, unknown_suppliers
    from flowkit.query_orders.readiness import Gate, checks_for
    from flowkit.records import Record, Writer, make_record
    from flowkit.sources import Fetched, open_source
    from flowkit.store import exports
    from flowkit.store.lock import exclusive

    app = get_app()
    store = app.store()
    given = click.get_current_context().get_parameter_source("ready")
    configured = given in (click.core.ParameterSource.DEFAULT, click.core.ParameterSource.DEFAULT_MAP)
    checks = checks_for(ready, from_config=configured, config=app.config, source=name)
    source = open_source(app.config, name, store=store)

    def on_error(item: Fetched, exc: FlowkitError) -> Record:
        """One line on stderr naming the document, and an error record in its place."""
        from flowkit import log

        log.emit(f"flowkit: {exc.format_message()}", event="record-failed", level="error", key=item.key, exit_code=exc.exit_code)
        stub = make_record("order", item.key or item.where, None, meta={"source": name})
        return pipeline.error_record(stub, COMMAND, exc)

    writer = Writer(mode="raw" if raw else "record", pretty=True if raw else None)
    pauses = Pauses.load(app.config, store)  # paused sources, channels and suppliers: not emitted
    run = Run(source, store, query, queue=not raw, dry=dry, requeue_after=requeue_after, on_error=on_error, pauses=pauses)
    run.gate = Gate(checks) if checks else None  # --ready: not ready orders stay pending
    if dry:  # a look changes nothing, so it neither waits on the lock nor enters the run log
        try:
            run.emit(writer)
        finally:
            source.close()
        _check(run.counts, query, name)
        unknown_suppliers(app.config, store, query, run.suppliers)
        return
    with exclusive(app.state_path, COMMAND, wait=app.lock_timeout), app.run(COMMAND, run.counts, target=name):
        try:
            run.emit(writer)
        finally:
            source.close()
            exports.add_history(store, COMMAND, name, run.counts)
        _check(run.counts, query, name)
        unknown_suppliers(app.config, store, query, run.suppliers)


def _check(counts: dict[str, int], query: Query, name: str) -> None:
    """Exit 1 when some documents failed, 65 when all did or --number found nothing."""
    from flowkit.errors import PartialError

    if counts["failed"]:
        message = f"{counts['failed']} order document(s) failed, {counts['emitted']} emitted"
        raise PartialError(message) if counts["emitted"] else InputError(message)
    if query.number is not None and not query.unsent and counts["emitted"] == 0:
        raise InputError(f"order {query.number} not found in source {name!r} (or filtered out)")
