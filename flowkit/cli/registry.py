"""The command tree as data: the module of each command and subcommand, and the summaries.

Modules load only when their command runs or shows its own help, so
``flowkit --help`` imports none of them; tests/test_cli.py checks that each
summary is still the command's own short help. A module holds one click
command named ``command`` (siblings of it are named ``module:ATTR``); a
group's own subcommands stay in its module, and those another module
contributes (the command that owns the data, such as deliver's ``state
sent``) are listed here, so no command module imports another and no group
is a special case.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import click

_NONE: Mapping[str, str] = MappingProxyType({})


class Entry(NamedTuple):
    """A top-level command: its module, its one-line summary, and subcommands from other modules."""

    module: str
    summary: str
    subcommands: Mapping[str, str] = _NONE  # name -> module


# The commands, in the order a pipeline uses them.
COMMANDS: Mapping[str, Entry] = {
    "query-orders": Entry(
        "flowkit.commands.query_orders",
        "Emit the orders of a source as flowkit.order/1 records (cancelled orders excluded).",
        {"mark-sent": "flowkit.commands.mark_sent"},
    ),
    "query-products": Entry(
        "flowkit.commands.query_products",
        "Emit the products of a source as flowkit.product/1 records (simple products by default).",
        {"mark-sent": "flowkit.commands.products_mark_sent"},
    ),
    "apply-rules": Entry(
        "flowkit.commands.apply_rules", "Apply the rules of RULES.toml to order records (other kinds pass through)."
    ),
    "render": Entry("flowkit.commands.render", "Render order records (or one order document) into payloads."),
    "transform": Entry("flowkit.commands.transform", "Transform payload records (or one plain document) with XSLT or Jolt."),
    "deliver": Entry(
        "flowkit.commands.deliver", "Deliver payload records to a hotfolder, FTP/FTPS, SFTP, HTTP or email destination."
    ),
    "push-stock": Entry(
        "flowkit.commands.push_stock", "Decide stock lines against the target's ledger and optionally send them on."
    ),
    "import-shipment": Entry(
        "flowkit.commands.import_shipment",
        "Apply shipment messages (JSON, NDJSON, records, OrderFlow SOAP, GelatoConnect postbacks).",
    ),
    "import-status": Entry(
        "flowkit.commands.import_status",
        "Apply production status messages to orders, in order, and write the postbacks for the shop.",
    ),
    "receive": Entry(
        "flowkit.commands.receive", "Receive pushed orders, stock, shipment and status messages over HTTP into inbox folders."
    ),
    "state": Entry(
        "flowkit.commands.state",
        "Inspect and maintain the state store (sqlite or PostgreSQL).",
        {
            "release": "flowkit.commands.release",
            "exports": "flowkit.commands.state_exports",
            "sent": "flowkit.commands.deliver_state",
            "stock": "flowkit.commands.stock_state",
            "pause": "flowkit.commands.state_pause",
            "resume": "flowkit.commands.state_pause:resume",
            "paused": "flowkit.commands.state_pause:paused",
            "reset-products": "flowkit.commands.state_products",
            "migrate": "flowkit.commands.state_migrate",
            "compact": "flowkit.commands.state_compact",
        },
    ),
    "config": Entry("flowkit.commands.config", "Write a starter config, check one, or show the effective config."),
    "check": Entry(
        "flowkit.commands.check", "Check destinations and sources: connect, log in, write and remove a probe, list one page."
    ),
}


def load(module: str) -> click.Command:
    """The click command of a command module: its ``command`` attribute, or ``ATTR`` for ``module:ATTR``."""
    path, _, attr = module.partition(":")
    command: click.Command = getattr(import_module(path), attr or "command")
    return command


def load_command(name: str) -> click.Command | None:
    """The click command of top-level command ``name``, or None when there is none."""
    entry = COMMANDS.get(name)
    return None if entry is None else _flag_envvars(name, load(entry.module))


def _flag_envvars(name: str, command: click.Command) -> click.Command:
    """An option whose flag is not its parameter's name reads ``FLOWKIT_<COMMAND>_<FLAG>`` too.

    One spelling: ``FLOWKIT_DELIVER_TO`` for ``--to`` as ``[deliver] to``; click's own variable
    (the parameter's name, ``FLOWKIT_DELIVER_TARGET``) is still read after it.
    """
    import click

    from flowkit.config_keys import FLAG_KEYS

    flags = FLAG_KEYS.get(name)
    if flags:
        prefix = "FLOWKIT_" + name.upper().replace("-", "_")
        for param in command.params:
            flag = next((f for f, p in flags.items() if p == param.name), None)
            if flag is not None and isinstance(param, click.Option) and param.envvar is None:
                param.envvar = f"{prefix}_{flag.upper()}"
    return command


def subcommands(group: str) -> Mapping[str, str]:
    """Subcommands of top-level group ``group`` that other modules contribute: name -> module."""
    entry = COMMANDS.get(group)
    return _NONE if entry is None else entry.subcommands
