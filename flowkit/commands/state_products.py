"""``flowkit state reset-products``: products back to pending, to be exported again (the extension's mass reset).

Example: flowkit state reset-products --sku FLY-A5-350,BC-85x55-400 --reason "WMS catalogue restored"
"""

from __future__ import annotations

import json

import click

from flowkit.cli.app import get_app


@click.command("reset-products")
@click.option("--sku", "skus", multiple=True, metavar="SKUS", help="These SKUs (comma list; repeatable).")
@click.option("--all", "all_", is_flag=True, help="Every product the store knows.")
@click.option("--reason", metavar="TEXT", help="Why (kept in each product's story).")
def command(skus: tuple[str, ...], all_: bool, reason: str | None) -> None:
    """Reset products to pending: the next 'query-products --changed' run exports them again.

    A reset product goes out again even where the destination has the very
    same payload (its records carry meta.resend, which deliver honours), as
    an update when it was exported before. Prints one JSON line: how many,
    and which when SKUs were given; a SKU the store does not know is named on
    stderr (exit 65 when none is known).

    \b
    Example:
      flowkit state reset-products --sku FLY-A5-350
      flowkit state reset-products --all --reason "WMS catalogue restored"
    """
    from flowkit.errors import InputError
    from flowkit.log import LOG
    from flowkit.store import products

    wanted = [s.strip() for value in skus for s in value.split(",") if s.strip()]
    if bool(wanted) == all_:
        raise click.UsageError("name the products: --sku SKUS or --all" + (", not both" if all_ else ""))
    app = get_app()
    store = app.store()
    counts = {"reset": 0}
    with app.run("state reset-products", counts):
        with store.transaction():
            done = products.reset(store, None if all_ else wanted, command="state reset-products", reason=reason)
        counts["reset"] = len(done)
        products.add_history(store, "state reset-products", None, counts)
        for sku in [s for s in wanted if s not in done]:
            LOG.warning("product %s is not known to the store: not reset", sku)
        if wanted and not done:
            raise InputError("none of the SKUs is known to the store", hint="'flowkit query-products' records them first")
    click.echo(json.dumps({"reset": len(done), **({"skus": done} if wanted else {})}))
