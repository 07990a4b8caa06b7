"""``flowkit state sent KEY``: what deliver sent for a key, where, and how it ended.

Example: flowkit state sent 1203 --body
"""

from __future__ import annotations

import json
import sys

import click

from flowkit.cli.app import get_app
from flowkit.errors import InputError


@click.command("sent")
@click.argument("key")
@click.option("--body", "with_body", is_flag=True, help="Include the exact bytes that went out (text).")
@click.option("--json", "as_json", is_flag=True, help="JSON even on a terminal.")
def command(key: str, with_body: bool, as_json: bool) -> None:
    """Show every delivery of KEY: destination, status, attempts, remote reference, response.

    JSON on a pipe, a table on a terminal (bodies always as JSON).

    \b
    Example:
      flowkit state sent 1203 --body | jq -r '.[0].body'
    """
    from flowkit.cli.console import is_tty, table
    from flowkit.secrets import scrub
    from flowkit.store import delivery

    store = get_app().store()
    items = delivery.history(store, key)
    if not items:
        raise InputError(f"no delivery of {key!r} in {store.path}")
    if with_body:
        for item in items:
            kept = delivery.body(store, item["id"])
            item["type"] = kept[0] if kept else None
            item["body"] = kept[2].decode("utf-8", errors="replace") if kept else None
    items = scrub(items)  # no secret in clear, whatever an older version kept
    if with_body or as_json or not is_tty(sys.stdout):
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    columns = ("destination", "status", "attempts", "filename", "remote_ref", "updated_at", "error")
    table(f"deliveries of {key}", columns, [[item[c] for c in columns] for item in items], to_stdout=True)
