"""The ``flowkit`` root command: global options and the list of commands.

Commands import their heavy adapters (lxml, paramiko, rich, httpx) inside
their functions, so ``flowkit --help`` and every ``flowkit CMD --help`` start
fast.
"""

from __future__ import annotations

import click

from flowkit import __version__
from flowkit.app import App
from flowkit.commands import config as config_cmd
from flowkit.commands import push_stock as push_stock_cmd
from flowkit.commands import state as state_cmd
from flowkit.commands import stock_state as stock_state_cmd
from flowkit.errors import ConfigError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "FLOWKIT"})
@click.version_option(__version__, "--version", prog_name="flowkit", message="%(prog)s %(version)s")
@click.option("--config", "config_path", metavar="PATH", envvar="FLOWKIT_CONFIG",
              help="Config file (default: ./flowkit.toml, then the user config dir).")
@click.option("--state", "state_path", metavar="PATH", envvar="FLOWKIT_STATE",
              help="State store file (default: state.path from the config, then the user state dir).")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Log lines as text, or as JSON objects for cron and log shippers.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, state_path: str | None, verbose: int, quiet: bool,
        log_format: str) -> None:
    """Small composable commands for e-commerce and print-order integration.

    Commands read records (NDJSON) or one plain JSON/XML document on stdin or
    from FILEs, and write data on stdout; messages go to stderr.

    \b
    Example:
      flowkit query-orders --unsent | flowkit render | flowkit deliver --to mis
    """
    from flowkit import log

    log.setup(-1 if quiet else verbose, log_format)
    app = App(state_override=state_path, verbosity=-1 if quiet else verbose)
    from flowkit.config import load

    try:
        app.loaded = load(config_path)
    except ConfigError as exc:  # kept for the commands that need the config
        app.config_error = exc
    app.config_arg = config_path
    ctx.default_map = _default_map(app)
    ctx.obj = app


def _default_map(app: App) -> dict[str, dict[str, object]]:
    """Feed each ``[command]`` table's scalar keys to that command's option defaults."""
    if app.config_error is not None:
        return {}
    out: dict[str, dict[str, object]] = {}
    for name, table in app.loaded.data.items():
        if isinstance(table, dict) and name not in ("sources", "destinations", "suppliers", "channels"):
            out[name] = {k.replace("-", "_"): v for k, v in table.items() if not isinstance(v, dict)}
    return out


# The commands, in the order a pipeline uses them.
for command in (
    config_cmd.command,
    state_cmd.command,
    push_stock_cmd.command,
):
    cli.add_command(command)
state_cmd.command.add_command(stock_state_cmd.command)
