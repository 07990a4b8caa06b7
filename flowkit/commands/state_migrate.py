"""``flowkit state migrate``: copy a whole state store into a new, empty one (sqlite to PostgreSQL, or back).

Example: flowkit state migrate --from state.db --to postgresql://flowkit@db.example.com/flowkit
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from flowkit.cli.app import get_app

if TYPE_CHECKING:
    from pathlib import Path

    from flowkit.cli.app import App
    from flowkit.store import Store
    from flowkit.store.location import PgUrl


@click.command("migrate")
@click.option(
    "--from",
    "source",
    required=True,
    metavar="PATH|URL",
    help="The store to copy: a sqlite file (or a postgresql:// URL).",
)
@click.option(
    "--to",
    "target",
    metavar="URL|PATH",
    help="The new, empty store: a postgresql:// URL (or a sqlite file). Default: the configured one (--state, [state] url).",
)
@click.option("--force", is_flag=True, help="Copy even while runs of the source are still going (their work may be lost).")
def command(source: str, target: str | None, force: bool) -> None:
    """Copy a state store into a new, empty one: sqlite to PostgreSQL, or back.

    Every table goes in one transaction. Ids, sequence numbers, the delivery and stock ledgers, kept bodies and
    the export history go as they are, so the runs against the new store
    go on where the old one left off: nothing delivered twice, no stale
    stock applied. The source is migrated to this flowkit's schema first;
    a target that holds rows is refused (exit 78), and so is a source whose
    runs are still going on this host (exit 75; --force copies anyway). One
    line per table on stderr, the counts on stdout. The password of a URL
    is never shown.

    \b
    Example:
      flowkit state migrate --from state.db --to postgresql://flowkit@db.example.com/flowkit
    """
    import json

    from flowkit import log
    from flowkit.errors import UsageError
    from flowkit.store import Store
    from flowkit.store.transfer import copy

    app = get_app()
    origin, destination = _location(app, source, "--from"), app.state_path if target is None else _location(app, target, "--to")
    if _same(origin, destination):
        raise UsageError(f"--from and --to name the same store ({origin})")
    timeout = float(app.config.section("state").get("busy_timeout", 10))
    old = Store(origin, busy_timeout=timeout)
    try:
        _still_going(old, force)
        new = Store(destination, busy_timeout=timeout)
        try:
            _warn_of_order(app, new)
            copied = copy(old, new, told=lambda table, rows: _told(app, table, rows))
        finally:
            new.close()
    finally:
        old.close()
    if app.verbosity >= 0:
        total = sum(copied.values())
        text = f"{total} rows in {len(copied)} tables copied from {origin} to {destination}; every count matches"
        log.emit(f"flowkit: state migrate: {text}", event="migrate-done", rows=total)
    click.echo(json.dumps({"from": str(origin), "to": str(destination), "copied": copied}))


def _still_going(store: Store, force: bool) -> None:
    """Refuse (75) a source with runs still going on this host, unless ``force``."""
    from flowkit.errors import TempFailError
    from flowkit.store.transfer import running

    going = running(store)
    if going and not force:
        first = going[0]
        raise TempFailError(
            f"state migrate: {len(going)} run(s) of {store.path} still going on this host "
            f"({first['command']}, pid {first['pid']}, started {first['started_at']}); their work would not be copied",
            hint="stop the cron jobs and let the runs end, or give --force",
        )


def _warn_of_order(app: App, store: Store) -> None:
    """Say so when the target sorts text otherwise than sqlite (a database not created with the C collation)."""
    from flowkit import log
    from flowkit.store.transfer import text_order

    collation = text_order(store)
    if collation is not None and app.verbosity >= 0:
        log.emit(
            f"flowkit: warning: state migrate: {store.path} sorts text by {collation!r}, not byte by byte as sqlite does, "
            "so listings may come in another order (create the database with LC_COLLATE 'C' from template0: docs/scale-out.md)",
            event="migrate-collation",
            level="warning",
        )


def _told(app: App, table: str, rows: int) -> None:
    from flowkit import log

    if app.verbosity >= 0:
        log.emit(f"flowkit: state migrate: {table}: {rows} rows copied", event="migrate-table", table=table, rows=rows)


def _same(one: Path | PgUrl, other: Path | PgUrl) -> bool:
    from pathlib import Path

    if isinstance(one, Path) and isinstance(other, Path):
        return one.resolve() == other.resolve()
    return str(one) == str(other)


def _location(app: App, value: str, where: str) -> Path | PgUrl:
    """The store ``value`` names; the configured one (with its [state] password) when it names that."""
    from pathlib import Path

    from flowkit.config import resolve_secret
    from flowkit.errors import ConfigError
    from flowkit.secrets import remember
    from flowkit.store.location import is_url, parse

    if not is_url(value):
        path = Path(value).expanduser()
        if where == "--from" and not path.is_file():
            raise ConfigError(f"{where}: no state store at {path}")
        return path

    def secret(text: str) -> str:
        resolved = str(resolve_secret(text, where=where))
        remember(resolved)  # a password written in the URL itself is masked too
        return resolved

    url = parse(value, where=where, resolve=secret)
    configured = app.state_path
    return configured if str(configured) == str(url) and url.url == str(url) else url
