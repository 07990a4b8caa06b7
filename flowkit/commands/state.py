"""Look into and maintain the state store: one order's story, runs, purge.

Example: flowkit state show 1203
"""

from __future__ import annotations

from typing import Any

import click

from flowkit.cli.groups import Group


@click.group("state", cls=Group)
def command() -> None:
    """Inspect and maintain the state store (sqlite or PostgreSQL)."""


def story(number: str) -> dict[str, Any]:
    """Everything the store knows about ``number``: order row, deliveries, shipments and event log."""
    from flowkit.cli.app import get_app
    from flowkit.errors import InputError
    from flowkit.store import delivery, orders, products, shipments, statuses

    store = get_app().store()
    order = orders.get(store, number)
    events = store.events(number)
    sent = delivery.history(store, number)
    product = products.get(store, number)  # a SKU query-products knows: its export state
    if order is None and product is None and not events and not sent:
        raise InputError(f"nothing known about {number!r} in {store.path}")
    if order is not None:
        order.pop("document", None)
    return {
        "key": number,
        "order": order,
        **({"product": {k: v for k, v in product.items() if k != "document"}} if product else {}),
        "deliveries": sent,
        "shipments": shipments.for_order(store, number),
        "statuses": statuses.for_order(store, number),  # production status, whole order then lines (import-status)
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
    from flowkit.secrets import scrub

    data = scrub(story(key))  # no secret in clear, whatever an older version kept
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
        from flowkit.provenance import shown_rows

        made = shown_rows(data["deliveries"])  # how each delivered payload was made (render, transform)
        if made:
            table(f"provenance of {key}", ("destination", "step", "made with", "sha256", "params"), made, to_stdout=True)
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
    if data["statuses"]:
        made = [(s["item"] or "(order)", s["status"], s["at"], s["target"], s["message_seq"]) for s in data["statuses"]]
        table(f"production status of {key}", ("item", "status", "at", "target", "message"), made, to_stdout=True)
    rows = [(e["at"], e["command"], e["event"], json.dumps(e["detail"]) if e["detail"] else "") for e in data["events"]]
    table(f"events for {key}", ("at", "command", "event", "detail"), rows, to_stdout=True)


@command.command("runs")
@click.option("--limit", default=20, show_default=True, help="How many recent runs.")
@click.option("--command", "command_name", help="Only runs of this command.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines even on a terminal.")
def runs(limit: int, command_name: str | None, as_json: bool) -> None:
    """List recent runs: command line, status, exit code, first error, counts (JSON lines on a pipe).

    \b
    Example:
      flowkit state runs --command deliver --limit 5
    """
    import json
    import shlex
    import sys

    from flowkit.cli.app import get_app
    from flowkit.cli.console import is_tty, table
    from flowkit.secrets import scrub

    items = scrub(get_app().store().runs(limit, command_name))
    if as_json or not is_tty(sys.stdout):
        for item in items:
            click.echo(json.dumps(item, ensure_ascii=False))
        return
    rows = [
        (
            r["id"],
            shlex.join(["flowkit", *r["args"]]) if r["args"] else r["command"],
            r["started_at"],
            r["ended_at"],
            r["status"],
            "" if r.get("exit_code") is None else r["exit_code"],
            json.dumps(r["counts"]),
            r.get("error") or "",
        )
        for r in items
    ]
    table("runs", ("id", "command line", "started", "ended", "status", "exit", "counts", "first error"), rows, to_stdout=True)


@command.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Delete run logs, events and archived bodies older than DAYS (default: state.retention_days).",
)
@click.option(
    "--dead-older-than",
    "dead_days",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Delete the bodies of dead deliveries DAYS after they died (default: state.dead_retention_days; "
    "without either, they are kept).",
)
def purge(days: float | None, dead_days: float | None) -> None:
    """Delete old logs and archives; never sequences, dedupe keys or unprocessed work.

    The body of a failed, unknown or in-flight delivery is kept whatever its
    age (--retry-failed resends it); a dead one's until --dead-older-than.

    \b
    Example:
      flowkit state purge --older-than 90 --dead-older-than 365
    """
    import json

    from flowkit.cli.app import get_app
    from flowkit.log import LOG

    app = get_app()
    if days is None:
        days = app.config.section("state").get("retention_days")
        if days is None:
            raise click.UsageError("give --older-than DAYS or set state.retention_days in the config")
    if dead_days is None:
        dead_days = app.config.section("state").get("dead_retention_days")
    deleted = app.store().purge(float(days), None if dead_days is None else float(dead_days))
    LOG.info("state purge: older than %g days (dead deliveries' bodies: %s), deleted %s", days, dead_days, deleted)
    click.echo(json.dumps({"deleted": deleted}))


@command.command("check")
def check() -> None:
    """Check the store's integrity and schema; say how to recover a damaged one.

    Runs sqlite's PRAGMA integrity_check, compares the schema version and
    tables with this flowkit's, counts the ledger rows that keep work from
    being done twice, and checks the files can be written. Changes nothing.
    Exits 0 when the store is healthy, 78 when it is not (the report says
    how to recover).

    \b
    Example:
      flowkit state check || mail -s "flowkit: state store damaged" ops@example.com
    """
    from flowkit.cli.app import get_app
    from flowkit.store.db import StoreUnusable
    from flowkit.store.health import check as check_store

    health = check_store(get_app().state_path)
    click.echo(f"state store {health.path}: {'healthy' if health.ok else 'NOT healthy'}")
    for line in health.found:
        click.echo(f"  {line}")
    for line in health.problems:
        click.echo(f"  problem: {line}")
    if health.ok:
        return
    click.echo(recovery(health.path, health.problems, newer=health.newer))
    raise StoreUnusable(f"state store {health.path} is not healthy: {health.problems[0]}", hint="see the report on stdout")


def recovery(path: Any, problems: list[str], *, newer: bool) -> str:
    """How to recover from ``problems`` (``state check``'s advice): what flowkit offers, and what it does not."""
    import shlex

    store = shlex.quote(str(path))
    if newer:
        return "To recover: run a flowkit at least as new as the one that last wrote this store."
    if all(p.startswith("no state store") for p in problems):
        return "To recover: point --state (or state.path in the config) at the store the cron jobs use."
    if all(p.startswith("read-only") for p in problems):
        return (
            "To recover: make the file, its -wal/-shm files and its folder writable by the user the cron jobs "
            "run flowkit as (mount options, permissions, chattr -i), then rerun."
        )
    return f"""To recover (stop the cron jobs that use this store first, and keep the damaged file):
  1. Restore the newest backup of the store (a copy taken while no flowkit ran, or by
     sqlite3 {store} ".backup BACKUP"), then rerun: work done since the backup is done again,
     and a destination that does not refuse duplicates (hotfolder conflict = "fail") receives
     those deliveries twice.
  2. Without a backup, salvage what sqlite can still read into a new file and check it:
       sqlite3 {store} .recover | sqlite3 {store}.recovered
       flowkit --state {store}.recovered state check
     then move the damaged file (and its -wal/-shm files) aside and the recovered one in its
     place. Rows on damaged pages are lost, or land in a lost_and_found table.
  3. What must survive is the delivery ledger (deliveries), the processed message ids
     (processed_messages) and the stock ledger (stock_ledger): they stop orders being sent
     and messages applied twice. flowkit has no export or import of its own for them; read
     what is left with 'flowkit state sent KEY', 'flowkit state show KEY' and
     'flowkit state stock --target TARGET --json', or with sqlite3 on a copy of the file.
  A new, empty store forgets all of it: every order would be delivered again."""
