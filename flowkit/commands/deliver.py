"""Put each payload record where the receiving system picks it up, exactly once.

Example: flowkit render orders.ndjson | flowkit deliver --to mis-sftp
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from flowkit.cli.app import get_app
from flowkit.cli.options import choose_mode, input_files, output_mode

if TYPE_CHECKING:
    from flowkit.cli.app import App
    from flowkit.routes import Routes


@click.command("deliver")
@input_files
@click.option(
    "--to",
    "target",
    metavar="NAME_OR_URL",
    help="A [destinations.NAME] table, or a URL: file:///dir/, sftp://user@host:port/dir/, ftp(s)://…, https://…, smtp(s)://…;"
    " or a template naming a table per record, e.g. '{meta.supplier}'. Without it, the config's routes pick per record"
    " ([suppliers.X.deliver] to, then [channels.X.deliver] to, then [deliver] to).",
)
@click.option(
    "--name",
    "name_template",
    metavar="TEMPLATE",
    help="File name template, e.g. '{key}.xml' or '{meta.channel}/{key}.{ext}'.",
)
@click.option("--force", is_flag=True, help="Send again even when identical content was delivered.")
@click.option("--retry-failed", is_flag=True, help="Resend failed deliveries from the ledger (no input read).")
@click.option("--max-attempts", type=click.IntRange(min=1), help="Attempts across runs before a delivery is dead.")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="How long to wait for another deliver run to the same destination (default state.lock_timeout)."
    " On a PostgreSQL state store runs share a destination key by key and never wait.",
)
@output_mode
def command(
    files: tuple[str, ...],
    target: str | None,
    name_template: str | None,
    force: bool,
    retry_failed: bool,
    max_attempts: int | None,
    wait: float | None,
    output: str | None,
) -> None:
    """Deliver payload records to a hotfolder, FTP/FTPS, SFTP, HTTP or email destination.

    Writes one result record per input record (delivered, duplicate, failed,
    unknown, skipped, dead); records of other kinds pass through. A run killed
    at any point can be rerun: nothing is lost and nothing is sent twice.

    \b
    Example:
      flowkit deliver --to file:///srv/hotfolder/ --name '{key}.xml' samples/deliver/payloads.ndjson
      flowkit deliver --to mis-sftp --retry-failed
      flowkit deliver --to '{meta.supplier}' payloads.ndjson     # a [destinations.NAME] per supplier
      flowkit deliver payloads.ndjson                           # routes from [suppliers.X.deliver] to, …
    """
    from flowkit.cli.console import summary
    from flowkit.deliver.run import finish_run
    from flowkit.records import Reader, Writer

    app = get_app()
    routes = _routes(app, target)
    reader = None if retry_failed else Reader(files, raw_kind="payload")
    writer = Writer(mode=choose_mode(reader.mode if reader else "record", output))
    counts: dict[str, int] = {}
    wait = app.lock_timeout if wait is None else wait
    options: dict[str, Any] = {"name_template": name_template, "force": force, "max_attempts": max_attempts}
    from flowkit.deliver.claims import destination_lock, senders

    if routes.single is not None:  # one destination for every record: its lock first (sqlite), as always
        from flowkit.deliver.run import build, deliver_all, lock_name

        deliverer = build(app.config, app.store(), routes.single, **options)
        with (
            destination_lock(app.state_path, app.store(), lock_name(deliverer.destination), wait),
            app.run("deliver", counts, target=deliverer.destination),
            senders(app.store()),
        ):
            tally, line = deliver_all(deliverer, reader, writer, counts)
            summary(line, destination=deliverer.destination, counts=dict(counts))
            finish_run(tally, [deliverer.down] if deliverer.down else [])
        return
    from flowkit.deliver.lanes import Router, deliver_routed, downs

    with (
        Router(app.config, app.store(), app.state_path, routes, wait, options) as router,
        app.run("deliver", counts),
        senders(app.store()),
    ):
        tally, lines = deliver_routed(router, reader, writer, counts)
        for text, destination, per in lines:  # one summary per destination
            summary(text, **({"destination": destination} if destination else {}), counts=per)
        finish_run(tally, downs(router))


def _routes(app: App, target: str | None) -> Routes:
    """The run's routes: ``--to`` as given (command line or environment) beats the config's."""
    from flowkit.routes import Routes, check_template, is_template

    ctx = click.get_current_context()
    given = ctx.get_parameter_source("target") in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    routes = Routes.from_config(app.config.data, target if given else None)
    if routes.empty:
        raise click.UsageError(
            "Missing option '--to' (or a route in the config: [suppliers.NAME.deliver] to, [channels.NAME.deliver] to "
            "or [deliver] to)"
        )
    if routes.explicit and is_template(routes.explicit) and (why := check_template(routes.explicit)):
        raise click.BadParameter(why, param_hint="'--to'")
    return routes
