"""Look into and maintain the state store: one order's story, runs, purge.

Example: flowkit state show 1203
"""

from __future__ import annotations

from typing import Any

import click

from flowkit.cli.groups import Group


@click.group("state", cls=Group)
def command() -> None:
    """Inspect and maintain the sqlite state store."""


def story(number: str) -> dict[str, Any]:
    """Everything the store knows about ``number``: order row, deliveries, shipments and event log."""
    from flowkit.cli.app import get_app
    from flowkit.errors import InputError
    from flowkit.store import delivery, orders, shipments

    store = get_app().store()
    order = orders.get(store, number)
    events = store.events(number)
    sent = delivery.history(store, number)
    if order is None and not events and not sent:
        raise InputError(f"nothing known about {number!r} in {store.path}")
    if order is not None:
        order.pop("document", None)
    return {
        "key": number,
        "order": order,
        "deliveries": sent,
        "shipments": shipments.for_order(store, number),
        "events": events,
    }


@command.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="JSON even on a terminal.")
def show(key: str, as_json: bool) -> None:
    """Print everything that happened to KEY (an order number, SKU or message id).

    A table on a terminal, JSON on a pipe.

    \b
    Example:
      flowkit state show 1203 | jq '.deliveries[] | select(.status == "delivered")'
    """
    import json
    import sys

    from flowkit.cli.console import is_tty, table

    data = story(key)
    if as_json or not is_tty(sys.stdout):
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    order = data["order"]
    if order:
        fields = ("number", "channel", "source", "status", "export_status", "attempts", "hold_reason", "tags")
        table(f"order {key}", ("field", "value"), [(f, order.get(f)) for f in fields], to_stdout=True)
    if data["deliveries"]:
        columns = ("destination", "status", "attempts", "remote_ref", "updated_at", "error")
        table(f"deliveries of {key}", columns, [[d[c] for c in columns] for d in data["deliveries"]], to_stdout=True)
    if data["shipments"]:
        shipped = [
            (
                s["id"],
                s["shipped_at"],
                s["source"],
                " ".join(x for x in (s["courier"], s["service"]) if x),
                ", ".join(t["code"] for t in s["tracking"]),
                ", ".join(f"{ln['sku'] or ln['line_id']} x{ln['quantity']}" for ln in s["lines"]),
            )
            for s in data["shipments"]
        ]
        table(f"shipments for {key}", ("id", "shipped", "source", "courier", "tracking", "lines"), shipped, to_stdout=True)
    rows = [(e["at"], e["command"], e["event"], json.dumps(e["detail"]) if e["detail"] else "") for e in data["events"]]
    table(f"events for {key}", ("at", "command", "event", "detail"), rows, to_stdout=True)


@command.command("runs")
@click.option("--limit", default=20, show_default=True, help="How many recent runs.")
@click.option("--command", "command_name", help="Only runs of this command.")
def runs(limit: int, command_name: str | None) -> None:
    """List recent runs with their counts (JSON lines on a pipe).

    \b
    Example:
      flowkit state runs --command deliver --limit 5
    """
    import json
    import sys

    from flowkit.cli.app import get_app
    from flowkit.cli.console import is_tty, table

    items = get_app().store().runs(limit, command_name)
    if not is_tty(sys.stdout):
        for item in items:
            click.echo(json.dumps(item, ensure_ascii=False))
        return
    rows = [(r["id"], r["command"], r["started_at"], r["ended_at"], r["status"], json.dumps(r["counts"])) for r in items]
    table("runs", ("id", "command", "started", "ended", "status", "counts"), rows, to_stdout=True)


@command.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Delete run logs, events and archived bodies older than DAYS (default: state.retention_days).",
)
def purge(days: float | None) -> None:
    """Delete old logs and archives; never sequences, dedupe keys or unprocessed work.

    \b
    Example:
      flowkit state purge --older-than 90
    """
    import json
    import logging

    from flowkit.cli.app import get_app

    app = get_app()
    if days is None:
        days = app.config.section("state").get("retention_days")
        if days is None:
            raise click.UsageError("give --older-than DAYS or set state.retention_days in the config")
    deleted = app.store().purge(float(days))
    logging.getLogger("flowkit").info("state purge: older than %g days, deleted %s", days, deleted)
    click.echo(json.dumps({"deleted": deleted}))
