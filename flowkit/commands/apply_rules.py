"""Apply import-workflow rules to orders: hold, cancel, tag, set, note, alert; map SKUs and shipping.

Example: flowkit query-orders --unsent | flowkit apply-rules --rules rules.toml | flowkit render
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from flowkit.cli.app import get_app

COMMAND = "apply-rules"


def _rules_path(ctx: click.Context, value: str | None) -> Path:
    """``--rules``, or ``[apply-rules] rules`` relative to the config file."""
    if value is None:
        raise click.UsageError("name a rules file: --rules RULES.toml (or 'rules' in [apply-rules])")
    source = ctx.get_parameter_source("rules")
    if source == click.core.ParameterSource.DEFAULT_MAP:
        return get_app().config.resolve_path(value)
    return Path(value)


def _say(line: str) -> None:
    from flowkit import log

    log.emit(line, event="explain")


def _alert(line: str) -> None:
    from flowkit import log

    log.emit(line, event="alert", level="warning")


def _order_key(body: Any, stem: str) -> str:
    if isinstance(body, dict) and isinstance(body.get("number"), (str, int)):
        return str(body["number"])
    return stem


@click.command(COMMAND)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--rules", "rules", metavar="RULES.toml", help="The rules file (default: [apply-rules] rules).")
@click.option("--explain", is_flag=True, help="Per order, which rules and checks matched and why (stderr).")
@click.option("--dry-run", "dry_run", is_flag=True, help="Do not record holds/cancels in the state store.")
@click.option("--drop-held", is_flag=True, help="Do not pass held or cancelled orders on to stdout.")
@click.option("--records/--raw", "records_out", default=None, help="Force record (NDJSON) or raw output.")
@click.pass_context
def command(
    ctx: click.Context,
    files: tuple[str, ...],
    rules: str | None,
    explain: bool,
    dry_run: bool,
    drop_held: bool,
    records_out: bool | None,
) -> None:
    """Apply the rules of RULES.toml to order records (other kinds pass through).

    Built-in checks (duplicate order, item not managed, insufficient
    quantity, disabled source, unmapped shipping policy) and the SKU and
    shipping maps run first, then the rules in file order. Holds and
    cancels are recorded in the state store; release one with
    'flowkit state release ORDER'. A bad rules file exits 78.

    \b
    Example:
      flowkit apply-rules --rules samples/rules.toml --explain samples/apply-rules/1203.json
    """
    from flowkit import pipeline
    from flowkit.apply_rules.apply import build, roomy_collector
    from flowkit.records import Reader, Writer

    app = get_app()
    reader = Reader(files, raw_kind="order", raw_key=_order_key)
    mode = "raw" if reader.mode == "raw" else "record"
    if records_out is not None:
        mode = "record" if records_out else "raw"
    writer = Writer(mode=mode)
    applier, sender, window = build(
        _rules_path(ctx, rules),
        app.config,
        app.store,
        explain=_say if explain else None,
        dry_run=dry_run,
        drop_held=drop_held,
        alerts_to=_alert if mode == "raw" else None,
        share_body=mode == "record" and not writer.pretty,
    )
    ctx.call_on_close(sender.close)
    counts: dict[str, Any] = {}
    with app.run(COMMAND, counts), roomy_collector():
        tally = pipeline.run(reader, writer=writer, process=applier, consumes=("order",), command=COMMAND, window=window)
        counts.update(tally.as_dict())
        pipeline.finish(tally)  # inside the run: the run log keeps the exit code and the first error
