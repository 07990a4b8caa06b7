"""Option decorators shared by commands (input files, output mode, inbox mode)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def input_files(func: F) -> F:
    """``[FILE]...`` arguments; none or ``-`` reads stdin."""
    return click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))(func)


def output_mode(func: F) -> F:
    """``--raw`` / ``--records`` force the output mode (default: follows the input)."""
    func = click.option("--records", "output", flag_value="record", help="Write NDJSON records even for a raw document.")(func)
    return click.option("--raw", "output", flag_value="raw", help="Write plain documents (bodies) instead of records.")(func)


def inbox_options(*, order: str, batch_size: int, max_attempts: int) -> Callable[[F], F]:
    """``--from-dir``, ``--batch-size``, ``--max-attempts``: one inbox mode (``flowkit.inbox``), each command's defaults.

    A folder that does not exist is the inbox's own error (65, naming it), as for every command.
    """

    def decorate(func: F) -> F:
        func = click.option(
            "--max-attempts",
            type=click.IntRange(min=1),
            default=max_attempts,
            show_default=True,
            help="Inbox mode: failed runs before a file is parked in failed/.",
        )(func)
        func = click.option(
            "--batch-size",
            type=click.IntRange(min=1),
            default=batch_size,
            show_default=True,
            help="Inbox mode: at most this many files per run.",
        )(func)
        return click.option(
            "--from-dir",
            "from_dir",
            type=click.Path(file_okay=False),
            metavar="DIR",
            help=f"Inbox mode: process the message files in DIR in {order} order.",
        )(func)

    return decorate


def messages_or_orders_only(files: tuple[str, ...], order_files: tuple[str, ...], from_dir: str | None) -> bool:
    """Refuse contradictory inputs of a message command; True when there is nothing to do but load ``--orders``."""
    from flowkit.stdin import is_terminal as stdin_is_terminal

    if from_dir is not None and files:
        raise click.UsageError("give message FILEs or --from-dir, not both")
    waiting = not files and from_dir is None and stdin_is_terminal()
    if waiting and not order_files:
        raise click.UsageError("no input: name a FILE or pipe messages into stdin (refusing to wait on a terminal)")
    return waiting


def choose_mode(input_mode: str, forced: str | None) -> str:
    return forced or input_mode


def comma_list(value: str | None) -> tuple[str, ...]:
    """A comma-list option's values (``"a, b,,c"`` -> ``("a", "b", "c")``)."""
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def source_name(given: str | None) -> str:
    """``--source NAME``, else the only configured source (a usage error when there are several or none)."""
    if given:
        return given
    from flowkit.cli.app import get_app

    sources = list(get_app().config.section("sources"))
    if len(sources) == 1:
        return sources[0]
    raise click.UsageError("name a source with --source NAME (or a folder); configured: " + (", ".join(sources) or "none"))
