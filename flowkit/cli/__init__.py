"""The ``flowkit`` root command: global options and the list of commands.

Commands import their heavy adapters (lxml, paramiko, rich, httpx) inside
their functions, so ``flowkit --help`` and every ``flowkit CMD --help`` start
fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from flowkit.cli.app import App

from flowkit import __version__


class _OneLineUsageError(click.UsageError):
    """A usage error shown as one line naming the help to read."""

    def show(self, file: object = None) -> None:
        path = self.ctx.command_path if self.ctx else "flowkit"
        click.echo(f"flowkit: error: {self.format_message()} (see '{path} --help')", err=True)


# The commands, in the order a pipeline uses them: name -> (module, summary).
# Modules load only when their command runs or shows its own help, so
# `flowkit --help` imports none of them; tests/test_cli.py checks that each
# summary is still the command's own short help.
COMMANDS: dict[str, tuple[str, str]] = {
    "query-orders": ("flowkit.commands.query_orders",
                     "Emit the orders of a source as flowkit.order/1 records (cancelled orders excluded)."),
    "apply-rules": ("flowkit.commands.apply_rules",
                    "Apply the rules of RULES.toml to order records (other kinds pass through)."),
    "render": ("flowkit.commands.render", "Render order records (or one order document) into payloads."),
    "transform": ("flowkit.commands.transform",
                  "Transform payload records (or one plain document) with XSLT or Jolt."),
    "deliver": ("flowkit.commands.deliver",
                "Deliver payload records to a hotfolder, FTP/FTPS, SFTP, HTTP or email destination."),
    "push-stock": ("flowkit.commands.push_stock",
                   "Decide stock lines against the target's ledger and optionally send them on."),
    "import-shipment": ("flowkit.commands.import_shipment",
                        "Apply shipment messages (JSON, NDJSON, records, OrderFlow SOAP, GelatoConnect postbacks)."),
    "state": ("flowkit.commands.state", "Inspect and maintain the sqlite state store."),
    "config": ("flowkit.commands.config", "Write a starter config, check one, or show the effective config."),
}

# Subcommands of `flowkit state` contributed by the commands that own the data: (module, attribute).
STATE_SUBCOMMANDS = (
    ("flowkit.commands.release", "command"),
    ("flowkit.commands.state_exports", "command"),
    ("flowkit.commands.deliver_state", "sent"),
    ("flowkit.commands.stock_state", "command"),
)


def load_command(name: str) -> click.Command | None:
    """Import the module of command ``name`` and return its click command."""
    from importlib import import_module

    if name not in COMMANDS:
        return None
    command: click.Command = import_module(COMMANDS[name][0]).command
    if name == "state" and isinstance(command, click.Group) and "sent" not in command.commands:
        for module, attribute in STATE_SUBCOMMANDS:
            command.add_command(getattr(import_module(module), attribute))
    return command


class FlowkitGroup(click.Group):
    """The root group: lazy commands, and usage errors (unknown command, bad option) as one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])

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
    from flowkit.cli.app import App
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
