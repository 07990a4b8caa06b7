"""flowkit's error hierarchy; each class carries its documented exit code.

Exit codes follow sysexits (see docs/exit-codes.md). Every error is a
``click.ClickException``, so click prints ``Error: message`` on stderr and
exits with ``exit_code``: no traceback for user errors.
"""

from __future__ import annotations

from enum import IntEnum
from typing import IO, Any

import click


class ExitCode(IntEnum):
    """Documented process exit codes."""

    OK = 0
    PARTIAL = 1
    USAGE = 2
    DATAERR = 65
    UNAVAILABLE = 69
    TEMPFAIL = 75
    CONFIG = 78


class FlowkitError(click.ClickException):
    """Base of all flowkit user errors."""

    exit_code = int(ExitCode.DATAERR)

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.hint = hint
        super().__init__(message if hint is None else f"{message} ({hint})")

    def with_code(self, code: int) -> FlowkitError:
        """Give this instance another exit code (click declares ``exit_code`` a ClassVar)."""
        object.__setattr__(self, "exit_code", int(code))
        return self

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"flowkit: error: {self.format_message()}", err=True, file=file)


class PartialError(FlowkitError):
    """Some records failed; the others were done (details already reported)."""

    exit_code = int(ExitCode.PARTIAL)


class InputError(FlowkitError):
    """Malformed or invalid input data (EX_DATAERR)."""

    exit_code = int(ExitCode.DATAERR)


class UnavailableError(FlowkitError):
    """A source or destination is unavailable or refused us (EX_UNAVAILABLE)."""

    exit_code = int(ExitCode.UNAVAILABLE)


class TempFailError(FlowkitError):
    """A temporary failure: timeout, 5xx, lock busy; safe to rerun (EX_TEMPFAIL)."""

    exit_code = int(ExitCode.TEMPFAIL)


class ConfigError(FlowkitError):
    """Missing or invalid configuration (EX_CONFIG). Never echoes values."""

    exit_code = int(ExitCode.CONFIG)


class RecordError(FlowkitError):
    """One record cannot be processed; the stream goes on with the others.

    ``code`` is the exit code this failure would have on its own (65 for bad
    data, 69 for a refusing destination, 75 for a transient failure).
    """

    def __init__(self, message: str, *, code: int = ExitCode.DATAERR, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.with_code(code)
