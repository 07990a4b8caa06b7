"""Apply import-workflow rules to orders: hold, cancel, tag, set, note, alert; map SKUs and shipping.

``apply-rules test`` runs golden cases (an order in, the expected decision out) for CI.

Example: flowkit query-orders --unsent | flowkit apply-rules --rules rules.toml | flowkit render
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from flowkit.cli.app import get_app
from flowkit.cli.groups import CommandGroup, Files

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


@click.group(
    COMMAND,
    cls=CommandGroup,
    usage="[OPTIONS] [FILE]...  |  flowkit apply-rules test [OPTIONS] PATH...",
    invoke_without_command=True,
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True), cls=Files)
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
    if ctx.invoked_subcommand is not None:
        return
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


@command.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--rules", "rules", metavar="RULES.toml", help="The rules file (default: [apply-rules] rules).")
@click.option("--junit", metavar="FILE", type=click.Path(dir_okay=False), help="Write a JUnit XML report.")
@click.option("--update", is_flag=True, help="Rewrite the expected decisions with the actual ones.")
@click.pass_context
def test(ctx: click.Context, paths: tuple[str, ...], rules: str | None, junit: str | None, update: bool) -> None:
    """Run golden rules cases: the order NAME.in.json through the rules vs the decision NAME.out.json.

    The decision holds the rules matched, holds and reasons, cancel, tags,
    notes, changed fields and alerts. Settings (meta, expect_error, state)
    come from apply-rules.toml in the case's folder, overlaid by NAME.toml.
    Nothing is recorded or delivered. Prints a diff per failing case and exits 1 when
    any fails, 65 for a bad case file, 78 for a bad rules file (see
    docs/commands/apply-rules.md).

    \b
    Example:
      flowkit apply-rules test --rules samples/rules.toml samples/rules-cases --junit build/rules-junit.xml
    """
    from flowkit.apply_rules import cases, loader
    from flowkit.golden import finish, run_all, write_junit

    if rules is None and ctx.parent is not None:  # [apply-rules] rules, relative to the config file
        path = _rules_path(ctx.parent, ctx.parent.params.get("rules"))
    else:
        path = _rules_path(ctx, rules)
    runner = cases.Runner(loader.load(path), get_app().config, update=update)
    found = cases.discover([Path(p) for p in paths])
    if not found:
        raise click.UsageError(f"no cases (NAME.in.json) under {', '.join(paths)}")
    results = run_all([cases.load(case) for case in found], runner.run, click.echo)
    if junit:
        write_junit(Path(junit), results, command="apply-rules")
    finish(results, "apply-rules", click.echo)
