"""``flowkit state pause``, ``resume`` and ``paused``: stop and restart the orders of a source, channel or supplier.

Example: flowkit state pause --supplier sup-print-02 --reason "press down until Monday"
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from flowkit.cli.app import get_app

COLUMNS = ("kind", "name", "origin", "since", "by", "reason", "where")


def target_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--source NAME | --channel ID | --supplier ID: what to pause or resume (exactly one)."""
    func = click.option("--supplier", metavar="ID", help="A supplier, by id or name as the orders carry it.")(func)
    func = click.option("--channel", metavar="ID", help="A channel, by id or name as the orders carry it.")(func)
    return click.option("--source", metavar="NAME", help="A [sources.NAME] of the config.")(func)


def _target(source: str | None, channel: str | None, supplier: str | None) -> tuple[str, str]:
    given = [(kind, name) for kind, name in (("source", source), ("channel", channel), ("supplier", supplier)) if name]
    if len(given) != 1:
        raise click.UsageError("name one of --source NAME, --channel ID or --supplier ID")
    return given[0]


def _who() -> str:
    """user@host of the person (or cron job) that pauses."""
    import getpass
    import os

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"{user}@{os.uname().nodename}"


@click.command("pause")
@target_options
@click.option("--reason", metavar="TEXT", help="Why (shown by 'state paused' and in the paused orders' stories).")
def command(source: str | None, channel: str | None, supplier: str | None, reason: str | None) -> None:
    """Pause a source, channel or supplier: query-orders emits none of its orders until 'state resume'.

    A paused source is not fetched at all. A paused channel's or supplier's
    orders are recorded as pending, neither queued nor held (no release
    needed): the first query-orders run after the resume emits them. Prints
    the pause as one JSON line. Pausing again changes nothing.

    \b
    Example:
      flowkit state pause --supplier sup-print-02 --reason "press down until Monday"
      flowkit state pause --source shop
    """
    from flowkit.log import LOG
    from flowkit.query_orders.pause import Pause
    from flowkit.store import pauses

    app = get_app()
    kind, name = _target(source, channel, supplier)
    store = app.store()
    if kind == "source":
        app.config.named("sources", name)  # an unknown source: exit 78 naming the known ones
    elif name not in (known := _known(kind)):
        import difflib

        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)  # a typo pauses nothing that exists
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        LOG.warning(
            "no order of %s %r is known yet and the config has no [%ss.%s]%s: paused anyway", kind, name, kind, name, hint
        )
    row, new = pauses.pause(store, kind, name, reason=reason, by=_who())
    entry = Pause(kind, name, "store", since=row["paused_at"], by=row["paused_by"], reason=row["reason"])
    if not new:
        LOG.warning("%s; left as it was", entry.describe().replace("is paused", "was already paused"))
    click.echo(json.dumps(entry.as_dict(), ensure_ascii=False))


def _known(kind: str) -> set[str]:
    """The channels or suppliers the config or the store's orders know (ids, and the config tables' labels)."""
    from flowkit.store import pauses

    app = get_app()
    tables = app.config.section(f"{kind}s")
    labels = {str(t.get("name")) for t in tables.values() if isinstance(t, dict) and t.get("name")}
    return set(tables) | labels | pauses.known_names(app.store(), kind)


@click.command("resume")
@target_options
def resume(source: str | None, channel: str | None, supplier: str | None) -> None:
    """Lift a pause made by 'state pause': the next query-orders run emits the orders it held back.

    Prints the lifted pause as one JSON line. A pause written in the
    config (paused = true) is lifted there: exit 78 names its line. Nothing
    paused: a warning, exit 0.

    \b
    Example:
      flowkit state resume --supplier sup-print-02
    """
    from flowkit.errors import ConfigError
    from flowkit.log import LOG
    from flowkit.query_orders.pause import Pause, configured
    from flowkit.store import db, pauses

    app = get_app()
    kind, name = _target(source, channel, supplier)
    store = app.store()
    for entry in configured(app.config):
        if (entry.kind, entry.name) == (kind, name):
            raise ConfigError(f"{entry.where}: {kind} {name!r} is paused in the config", hint="set paused = false there")
    row = pauses.resume(store, kind, name)
    if row is None:
        if kind == "source":
            app.config.named("sources", name)  # an unknown source: exit 78 naming the known ones
        LOG.warning("%s %r was not paused (see 'flowkit state paused')", kind, name)
        return
    lifted = Pause(kind, name, "store", since=row["paused_at"], by=row["paused_by"], reason=row["reason"])
    click.echo(json.dumps({**lifted.as_dict(), "resumed_at": db.now(), "resumed_by": _who()}, ensure_ascii=False))


@click.command("paused")
@click.option("--json", "as_json", is_flag=True, help="JSON lines even on a terminal.")
def paused(as_json: bool) -> None:
    """List what is paused: kind, name, from where (config or store), since when, by whom, why.

    A table on a terminal, JSON lines on a pipe; nothing paused, nothing printed.

    \b
    Example:
      flowkit state paused --json
    """
    from flowkit.cli.console import is_tty, table
    from flowkit.query_orders.pause import active

    app = get_app()
    entries = [p.as_dict() for p in active(app.config, app.store())]
    if as_json or not is_tty(sys.stdout):
        for entry in entries:
            click.echo(json.dumps(entry, ensure_ascii=False))
        return
    rows = [["" if e[c] is None else e[c] for c in COLUMNS] for e in entries]
    table("paused", COLUMNS, rows, to_stdout=True)
