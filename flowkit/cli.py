"""The ``flowkit`` root command: global options and the list of commands.

Commands import their heavy adapters (lxml, paramiko, rich, httpx) inside
their functions, so ``flowkit --help`` and every ``flowkit CMD --help`` start
fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from flowkit.app import App

from flowkit import __version__
from flowkit.commands import apply_rules as apply_rules_cmd
from flowkit.commands import config as config_cmd
from flowkit.commands import deliver as deliver_cmd
from flowkit.commands import deliver_state
from flowkit.commands import import_shipment as import_shipment_cmd
from flowkit.commands import push_stock as push_stock_cmd
from flowkit.commands import query_orders as query_orders_cmd
from flowkit.commands import release as release_cmd
from flowkit.commands import render as render_cmd
from flowkit.commands import state as state_cmd
from flowkit.commands import state_exports as state_exports_cmd
from flowkit.commands import stock_state as stock_state_cmd
from flowkit.commands import transform as transform_cmd


class _OneLineUsageError(click.UsageError):
    """A usage error shown as one line naming the help to read."""

    def show(self, file: object = None) -> None:
        path = self.ctx.command_path if self.ctx else "flowkit"
        click.echo(f"flowkit: error: {self.format_message()} (see '{path} --help')", err=True)


class FlowkitGroup(click.Group):
    """The root group: usage errors (unknown command, bad option) become one line."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _OneLineUsageError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc) from None


def _one_line(exc: click.UsageError) -> _OneLineUsageError:
    return _OneLineUsageError(exc.format_message(), exc.ctx)


@click.group(
    cls=FlowkitGroup, context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "FLOWKIT"}
)
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
    from flowkit.app import App
    from flowkit.config import load
    from flowkit.errors import ConfigError

    app = App(state_override=state_path, verbosity=-1 if quiet else verbose)
    try:
        app.loaded = load(config_path)
    except ConfigError as exc:  # kept for the commands that need the config
        app.config_error = exc
    app.config_arg = config_path
    settings = app.loaded.section("log")
    if ctx.get_parameter_source("log_format") is click.core.ParameterSource.DEFAULT:
        log_format = str(settings.get("format", log_format))
    if not quiet and not verbose:
        app.verbosity = {"error": -1, "warning": 0, "info": 1, "debug": 2}.get(str(settings.get("level")), 0)
    log.setup(app.verbosity, log_format)
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
    query_orders_cmd.command,
    apply_rules_cmd.command,
    render_cmd.command,
    transform_cmd.command,
    deliver_cmd.command,
    push_stock_cmd.command,
    import_shipment_cmd.command,
    state_cmd.command,
    config_cmd.command,
):
    cli.add_command(command)

# Subcommands of `flowkit state` contributed by the commands that own the data.
for subcommand in (
    release_cmd.command, state_exports_cmd.command, deliver_state.sent, stock_state_cmd.command
):
    state_cmd.command.add_command(subcommand)
