"""Put each payload record where the receiving system picks it up, exactly once.

Example: flowkit render orders.ndjson | flowkit deliver --to mis-sftp
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

import click

from flowkit.app import get_app
from flowkit.options import choose_mode, input_files, output_mode

if TYPE_CHECKING:
    from flowkit.config import Config
    from flowkit.delivery import Deliverer, Policy
    from flowkit.pipeline import Tally
    from flowkit.records import Reader, Record, Writer


def policy_for(config: Config, spec: dict[str, Any], *, force: bool, max_attempts: int | None) -> Policy:
    """Retry policy: destination table over ``[deliver]`` over defaults; flags win."""
    from flowkit.delivery import Policy
    from flowkit.transports.base import option

    merged = {**config.section("deliver"), **spec}
    defaults = Policy()
    return Policy(
        max_attempts=max_attempts or int(option(merged, "max_attempts", defaults.max_attempts, int)),
        retries=int(option(merged, "retries", defaults.retries, int)),
        base_delay=float(option(merged, "base_delay", defaults.base_delay, (int, float))),
        max_delay=float(option(merged, "max_delay", defaults.max_delay, (int, float))),
        force=force,
        once_per_key=bool(option(merged, "once_per_key", False, bool)),
    )


def templater(config: Config, spec: dict[str, Any], flag: str | None) -> Any:
    """Which file-name template applies to a record (flag > channel/supplier > destination > [deliver])."""
    base = config.section("deliver").get("filename")

    def template(record: Record) -> str | None:
        if flag:
            return flag
        per_record = config.options("deliver", record.get("meta")).get("filename")
        if per_record and per_record != base:
            return str(per_record)
        return spec.get("filename") or base

    return template


def run_stream(reader: Reader, writer: Writer, deliverer: Deliverer) -> Tally:
    """Deliver the consumed records, pass the others through; one result record per input record."""
    from flowkit.delivery import CONSUMES
    from flowkit.errors import ExitCode, RecordError
    from flowkit.pipeline import Tally, error_record, report
    from flowkit.records import BadLine

    tally = Tally()
    for item in reader:
        if isinstance(item, BadLine):
            report(item.where, item.message)
            tally.failed += 1
            tally.codes.append(int(ExitCode.DATAERR))
            continue
        if item["kind"] not in CONSUMES:
            writer.write(item)
            tally.passed += 1
            continue
        try:
            outcome = deliverer.deliver(item)
        except RecordError as exc:
            report(f"record {item['key']!r}", exc.format_message())
            writer.write(error_record(item, "deliver", exc))
            tally.failed += 1
            tally.codes.append(exc.exit_code)
            continue
        record_outcome(outcome, writer, tally)
    return tally


def record_outcome(outcome: Any, writer: Writer, tally: Tally) -> None:
    from flowkit.pipeline import report

    writer.write(outcome.result)
    if outcome.code is None:
        tally.ok += 1
        return
    body = outcome.result["body"]
    report(f"record {body['key']!r}", f"{body['status']}: {body['error']}")
    tally.failed += 1
    tally.codes.append(outcome.code)


@click.command("deliver")
@input_files
@click.option("--to", "target", required=True, metavar="NAME_OR_URL",
              help="A [destinations.NAME] table, or a URL: file:///dir/, sftp://user@host:port/dir/, "
                   "ftp(s)://…, https://…, smtp(s)://…")
@click.option("--name", "name_template", metavar="TEMPLATE",
              help="File name template, e.g. '{key}.xml' or '{meta.channel}/{key}.{ext}'.")
@click.option("--force", is_flag=True, help="Send again even when identical content was delivered.")
@click.option("--retry-failed", is_flag=True, help="Resend failed deliveries from the ledger (no input read).")
@click.option("--max-attempts", type=click.IntRange(min=1), help="Attempts across runs before a delivery is dead.")
@click.option("--wait", type=click.FloatRange(min=0), metavar="SECONDS",
              help="How long to wait for another deliver run to the same destination (default state.lock_timeout).")
@output_mode
def command(files: tuple[str, ...], target: str, name_template: str | None, force: bool, retry_failed: bool,
            max_attempts: int | None, wait: float | None, output: str | None) -> None:
    """Deliver payload records to a hotfolder, FTP/FTPS, SFTP, HTTP or email destination.

    Writes one result record per input record (delivered, duplicate, failed,
    unknown, skipped, dead); records of other kinds pass through. A run killed
    at any point can be rerun: nothing is lost and nothing is sent twice.

    \b
    Example:
      flowkit deliver --to file:///srv/hotfolder/ --name '{key}.xml' samples/deliver/payloads.ndjson
      flowkit deliver --to mis-sftp --retry-failed
    """
    from flowkit.console import summary
    from flowkit.delivery import Deliverer, summary as line
    from flowkit.pipeline import Tally, finish
    from flowkit.records import Reader, Writer
    from flowkit.store.lock import exclusive
    from flowkit.transports.base import destination, open_transport

    app = get_app()
    spec = destination(app.config, target)
    transport = open_transport(spec, app.config)
    reader = None if retry_failed else Reader(files, raw_kind="payload")
    writer = Writer(mode=choose_mode(reader.mode if reader else "record", output))
    policy = policy_for(app.config, spec, force=force, max_attempts=max_attempts)
    deliverer = Deliverer(app.store(), spec["name"], transport, policy,
                          template=templater(app.config, spec, name_template))
    tally, counts = Tally(), {}
    with exclusive(app.state_path, lock_name(spec["name"]), wait=app.lock_timeout if wait is None else wait), \
            app.run("deliver", counts):
        try:
            if reader is None:
                for outcome in deliverer.retry_failed():
                    record_outcome(outcome, writer, tally)
            else:
                tally = run_stream(reader, writer, deliverer)
        finally:
            deliverer.close()
            counts.update({**tally.as_dict(), **deliverer.counts})
            summary(line(spec["name"], deliverer.counts))
        finish(tally)


def lock_name(dest: str) -> str:
    """A file-name-safe lock name per destination."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", dest)[:60]
    return f"deliver-{safe}-{hashlib.sha256(dest.encode()).hexdigest()[:8]}"
