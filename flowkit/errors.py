"""flowkit's error hierarchy; each class carries its documented exit code.

Exit codes follow sysexits (see docs/exit-codes.md). Cores raise these and
know nothing of click: the CLI layer (``flowkit.cli.groups``) prints
``flowkit: error: message`` on stderr and exits with ``exit_code``, with no
traceback for user errors.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes."""

    OK = 0
    PARTIAL = 1
    USAGE = 2
    DATAERR = 65
    UNAVAILABLE = 69
    SOFTWARE = 70
    TEMPFAIL = 75
    CONFIG = 78


class FlowkitError(Exception):
    """Base of all flowkit user errors.

    ``problem_lines``: a config's or rules file's problems (``file:line: …``, at most
    ``flowkit.problems.CAP``), printed one a line before the error line, which counts them.
    """

    exit_code: int = int(ExitCode.DATAERR)
    problem_lines: tuple[str, ...] = ()

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.hint = hint
        self.message = message if hint is None else f"{message} ({hint})"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def format_message(self) -> str:
        """The message as printed after ``flowkit: error:`` (with the hint, if any), secrets masked.

        Every message that reaches stderr, a result or error record, an event or the ledger
        passes here, so this is the last line of defence against a secret in clear (a server
        that echoes a credential into its error text, a URL with a password).
        """
        from flowkit.secrets import redact_text  # here: only a failing run pays for the import

        return redact_text(self.message)

    def with_code(self, code: int) -> FlowkitError:
        """Give this instance another exit code than its class's."""
        self.exit_code = int(code)
        return self


class UsageError(FlowkitError):
    """A command line that cannot run, found by a core (exit 2): stdin on a terminal, a malformed option.

    The CLI layer prints it as click's own usage errors, naming the help to read.
    """

    exit_code = int(ExitCode.USAGE)


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

    def __init__(
        self,
        message: str,
        *,
        code: int = ExitCode.DATAERR,
        hint: str | None = None,
        quiet: bool = False,
        problems: tuple[tuple[str, str], ...] = (),
        problem_count: int = 0,
    ) -> None:
        super().__init__(message, hint=hint)
        self.with_code(code)
        self.quiet = quiet  # already told on stderr (one line for many records of one cause): not named again
        # (JSON path, message) of the first problems (flowkit.problems.CAP), and how many there are in all
        self.problems = problems
        self.problem_count = problem_count or len(problems)


class InternalError(RecordError):
    """A bug met while processing one record (EX_SOFTWARE): the record fails, the stream goes on.

    ``pipeline.run`` raises it in place of an unexpected exception; the traceback is logged at ``-vv``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, code=ExitCode.SOFTWARE)
