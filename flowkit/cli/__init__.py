"""The CLI layer, the only part of flowkit that imports click; here the ``flowkit`` root command.

The package holds the root group and its global options (this module), the
command tree as data (``registry``), the groups and the error lines
(``groups``), ``ctx.obj`` (``app``), shared option decorators (``options``)
and terminal output (``console``); ``flowkit/commands/`` holds one module
per command. Commands import their heavy adapters (lxml, paramiko, rich,
httpx) inside their functions, so ``flowkit --help`` and every
``flowkit CMD --help`` start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from flowkit import __version__
from flowkit.cli.groups import RootGroup
from flowkit.cli.registry import COMMANDS, load_command

if TYPE_CHECKING:
    from flowkit.cli.app import App

__all__ = ["COMMANDS", "cli", "load_command"]


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "FLOWKIT"})
@click.version_option(__version__, "--version", prog_name="flowkit", message="%(prog)s %(version)s")
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="FLOWKIT_CONFIG",
    help="Config file (default: ./flowkit.toml, then the user config dir).",
)
@click.option(
    "--state",
    "state_path",
    metavar="PATH|URL",
    envvar="FLOWKIT_STATE",
    help="State store: a sqlite file or a postgresql:// URL (default: state.url or state.path from the config,"
    " then the user state dir).",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines as text, or as JSON objects for cron and log shippers.",
)
@click.option(
    "--metrics-file",
    "metrics_path",
    metavar="PATH",
    envvar="FLOWKIT_METRICS_FILE",
    help="After each run, write its figures here in Prometheus text format (or [metrics] file).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: str | None,
    state_path: str | None,
    verbose: int,
    quiet: bool,
    log_format: str,
    metrics_path: str | None,
) -> None:
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
    app.metrics_override = metrics_path
    settings = app.loaded.section("log")
    if ctx.get_parameter_source("log_format") is click.core.ParameterSource.DEFAULT:
        log_format = str(settings.get("format", log_format))
    if not quiet and not verbose:
        app.verbosity = {"error": -1, "warning": 0, "info": 1, "debug": 2}.get(str(settings.get("level")), 0)
    log.setup(app.verbosity, log_format)
    for note in app.loaded.notes if app.verbosity >= 0 else ():  # keys spelt the old way: read, said once a run
        log.emit(f"flowkit: warning: {note}", event="deprecated", level="warning")
    ctx.default_map = _default_map(app)
    ctx.obj = app


def _default_map(app: App) -> dict[str, dict[str, object]]:
    """Feed each ``[command]`` table's scalar keys to that command's option defaults."""
    if app.config_error is not None:
        return {}
    out: dict[str, dict[str, object]] = {}
    for name, table in app.loaded.data.items():
        if isinstance(table, dict) and name not in ("sources", "destinations", "suppliers", "channels", "metrics"):
            read = app.loaded.section(name)  # flag-spelt keys under the option's parameter name
            out[name] = {k.replace("-", "_"): v for k, v in read.items() if not isinstance(v, dict)}
    return out
