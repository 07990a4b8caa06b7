"""Check that destinations and sources can be reached, with their credentials, before the first run.

Example: flowkit check mis-sftp erp shop
"""

from __future__ import annotations

import click

from flowkit.cli.app import get_app


@click.command("check")
@click.argument("names", nargs=-1, metavar="[DESTINATION|SOURCE]...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per target instead of a line of text.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    help="Connect timeout for every target (default: each target's own 'timeout').",
)
def command(names: tuple[str, ...], as_json: bool, timeout: float | None) -> None:
    """Check destinations and sources: connect, log in, write and remove a probe, list one page.

    With none named, checks every destination and source of the config. A name
    may also be a destination URL or a folder of order files. One line per
    target on stdout; the exit code is 0 when all are ok, else the most
    severe of 78 (config), 69 (refused: auth, host key, TLS, HTTP 401/403)
    and 75 (temporary: connection refused, timeout, 5xx, disk full).
    Nothing is delivered and no mail is sent.

    \b
    Example:
      flowkit check
      flowkit check mis shop --json
    """
    import json

    from flowkit.check import check, exit_code, line, targets
    from flowkit.cli.console import summary
    from flowkit.errors import ConfigError, TempFailError, UnavailableError

    app = get_app()
    found = targets(app.config, names, store=app.store, timeout=timeout)
    if not found:
        raise ConfigError("nothing to check: the config names no destination or source", hint="see 'flowkit config init'")
    widths = (max(len(t.name) for t in found), min(60, max(len(t.where) for t in found)))
    outcomes = []
    for outcome in check(found):
        outcomes.append(outcome)
        click.echo(json.dumps(outcome.as_dict(), ensure_ascii=False) if as_json else line(outcome, widths))
    failed = sum(not o.ok for o in outcomes)
    code = exit_code(outcomes)
    if code:
        error = {78: ConfigError, 69: UnavailableError, 75: TempFailError}[code]
        raise error(f"check: {failed} of {len(outcomes)} target(s) failed")
    summary(f"flowkit: check: {len(outcomes)} target(s) ok")
