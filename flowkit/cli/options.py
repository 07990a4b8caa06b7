"""Option decorators shared by commands (input files, output mode)."""

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


def choose_mode(input_mode: str, forced: str | None) -> str:
    return forced or input_mode
