"""Put each payload record where the receiving system picks it up, exactly once.

Example: flowkit render orders.ndjson | flowkit deliver --to mis-sftp
"""

from __future__ import annotations

import click

from flowkit.cli.app import get_app
from flowkit.cli.options import choose_mode, input_files, output_mode


@click.command("deliver")
@input_files
@click.option(
    "--to",
    "target",
    required=True,
    metavar="NAME_OR_URL",
    help="A [destinations.NAME] table, or a URL: file:///dir/, sftp://user@host:port/dir/, ftp(s)://…, https://…, smtp(s)://…",
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
    help="How long to wait for another deliver run to the same destination (default state.lock_timeout).",
)
@output_mode
def command(
    files: tuple[str, ...],
    target: str,
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
    """
    from flowkit.cli.console import summary
    from flowkit.deliver.run import build, deliver_all, lock_name
    from flowkit.pipeline import finish
    from flowkit.records import Reader, Writer
    from flowkit.store.lock import exclusive

    app = get_app()
    deliverer = build(app.config, app.store(), target, name_template=name_template, force=force, max_attempts=max_attempts)
    reader = None if retry_failed else Reader(files, raw_kind="payload")
    writer = Writer(mode=choose_mode(reader.mode if reader else "record", output))
    counts: dict[str, int] = {}
    lock = exclusive(app.state_path, lock_name(deliverer.destination), wait=app.lock_timeout if wait is None else wait)
    with lock, app.run("deliver", counts, target=deliverer.destination):
        tally, line = deliver_all(deliverer, reader, writer, counts)
        summary(line, destination=deliverer.destination, counts=dict(counts))
        down = deliverer.down
        if down is not None and down.exit_code != 75 and tally.codes and set(tally.codes) == {int(down.exit_code)}:
            # Every failure is the destination refusing us: its code, even beside duplicates or payloads
            # sent before (a cron script tells 69 "fix credentials" from 1 "bad data"); all-75 is finish's.
            from flowkit.errors import PartialError

            raise PartialError(f"{tally.failed} record(s) not sent, {tally.ok} done").with_code(down.exit_code)
        finish(tally)
