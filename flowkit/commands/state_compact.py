"""``flowkit state compact``: re-pack the bodies the store keeps with its trained dictionaries, a batch at a time.

Example: flowkit state compact --vacuum
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from flowkit.store import Store


@click.command("compact")
@click.option(
    "--vacuum", is_flag=True, help="Then give the freed space back to the disk (sqlite: VACUUM, needs the file's size free)."
)
def command(vacuum: bool) -> None:
    """Re-pack kept order, payload and product bodies with the store's dictionaries.

    A store trains a compression dictionary per kind of body from its own
    bodies; bodies kept before (by an earlier flowkit, or before the store had
    seen enough) stay packed alone. This trains what is missing and packs
    those again, 500 rows per transaction, so runs go on meanwhile, and a
    stopped compact goes on where it stopped when run again. Bodies read the
    same before and after. The freed pages are reused by the next writes;
    --vacuum also shrinks a sqlite file (PostgreSQL: a plain VACUUM). The
    counts per kind go to stdout as JSON.

    \b
    Example:
      flowkit state compact --vacuum
    """
    import json

    from flowkit.cli.app import get_app
    from flowkit.log import LOG
    from flowkit.store.compact import compact

    store = get_app().store()
    size = _size(store)
    done = compact(store)
    for kind, counts in done.items():
        LOG.info(
            "state compact: %s bodies: %d read, %d packed again, %d -> %d bytes",
            kind,
            counts["rows"],
            counts["repacked"],
            counts["bytes_before"],
            counts["bytes_after"],
        )
    if vacuum:
        store.conn.execute("VACUUM")
        if store.dialect == "sqlite":  # the rewritten file is in the WAL until a checkpoint moves it
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    click.echo(json.dumps({"bodies": done, **({"file_bytes": [size, _size(store)]} if size is not None else {})}))


def _size(store: Store) -> int | None:
    """The sqlite file's size (None on PostgreSQL)."""
    from pathlib import Path

    return store.path.stat().st_size if isinstance(store.path, Path) else None
