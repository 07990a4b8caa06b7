"""The click groups of flowkit, and how an error becomes a line on stderr and an exit code.

Cores raise ``flowkit.errors`` exceptions and know nothing of click. The root
group prints a ``FlowkitError`` as ``flowkit: error: MESSAGE`` and exits with
its ``exit_code``; a usage error (click's own, or a core's ``UsageError``)
prints as one line naming the help to read, and exits 2. A sqlite error of a
failing state store that no statement wrapper saw (a row read late) becomes its
``FlowkitError`` here too (``flowkit.store.db.store_error``).

SIGINT and SIGTERM stop the run as an error would (``signals``); the root group
then prints one line on stderr and exits 128 + the signal (130, 143).
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from typing import Any, NoReturn

import click

from flowkit.cli.app import ARGV
from flowkit.cli.registry import COMMANDS, load, load_command, subcommands
from flowkit.cli.signals import Interrupted, handle_signals
from flowkit.errors import FlowkitError, UsageError

# ctx.meta key (shared by every context of one run): the path of the command about to run.
# ARGV (cli/app.py) keeps the command line as given (the run log keeps it, secrets masked).
_RUNNING = "flowkit.command_path"


class OneLineUsageError(click.UsageError):
    """A usage error shown as one line naming the help to read."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path

    def show(self, file: Any = None) -> None:
        from flowkit import log

        text = f"flowkit: error: {self.format_message()} (see '{self.path} --help')"
        log.emit(text, event="usage-error", level="error", exit_code=2)


class Group(click.Group):
    """A flowkit group: the subcommands other modules contribute (registry) join it when it is first used.

    It also notes which command is about to run, so that a core's usage error
    names that command's help as click's own usage errors do.
    """

    def _adopt(self) -> None:
        for name, module in subcommands(self.name or "").items():
            if name not in self.commands:
                self.add_command(load(module), name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._adopt()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._adopt()
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None:
            ctx.meta[_RUNNING] = f"{ctx.command_path} {name}"
            from flowkit import log

            log.context["command"] = ctx.meta[_RUNNING].split(" ", 1)[-1]  # "deliver", "state runs"
        return name, command, rest


class Files(click.Argument):
    """A ``CommandGroup``'s own ``[FILE]...``, left out of its subcommands' usage lines."""

    def get_usage_pieces(self, ctx: click.Context) -> list[str]:
        return []


class CommandGroup(Group):
    """A command that runs on its own (``transform [FILE]...``) unless its first argument names a subcommand.

    Its own arguments would swallow a subcommand's name and arguments, so when
    the first argument is a subcommand none are parsed as its own, and
    ``invoke`` dispatches as a group does. ``usage`` is its usage line (both
    forms); its ``Files`` argument stays out of the subcommands' usage lines.
    """

    def __init__(self, *args: Any, usage: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.usage = usage

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [self.usage] if self.usage else super().collect_usage_pieces(ctx)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] in self.commands:
            click.Command.parse_args(self, ctx, [])
            ctx.args = list(args)
            return ctx.args
        return click.Command.parse_args(self, ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        if not ctx.args:  # the command itself
            return super().invoke(ctx)
        name, sub, rest = self.resolve_command(ctx, ctx.args)
        assert sub is not None  # parse_args kept the arguments only when the first one is a subcommand
        ctx.args = []
        ctx.invoked_subcommand = name
        with ctx:
            click.Command.invoke(self, ctx)  # the command's callback, told a subcommand runs
            with sub.make_context(name, rest, parent=ctx) as sub_ctx:
                return sub.invoke(sub_ctx)


class RootGroup(Group):
    """The root group: lazy commands with their summaries, errors as one line on stderr."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = load_command(cmd_name)
        return None if command is None else _ready_first(command)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry.summary) for name, entry in COMMANDS.items()])

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        argv = list(args)  # before click parses (and consumes) them
        _early_log_format(argv)
        if parent is None and extra.get("terminal_width") is None:
            extra["terminal_width"] = help_width()
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        ctx.meta[ARGV] = argv
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OneLineUsageError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except UsageError as exc:  # a core's check of its options or input
            raise OneLineUsageError(exc.format_message(), ctx.meta.get(_RUNNING, ctx.command_path)) from None
        except Interrupted as exc:
            running = str(ctx.meta.get(_RUNNING, ""))
            exc.command = running.split(" ", 1)[1] if " " in running else None
            raise
        except Exception as exc:
            mapped = _store_error(ctx, exc)
            if mapped is None:
                raise
            raise mapped from exc

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's ``main``; in standalone mode a ``FlowkitError`` or a signal becomes one line on stderr and its exit code.

        The modules loaded so far (click, the CLI) live until exit: frozen (``gc.freeze``), the
        cyclic garbage collector's full passes of the start-up (ours, then the command's imports)
        no longer walk them.
        """
        gc.freeze()
        try:
            return self._main(args, prog_name, complete_var, standalone_mode, **extra)
        except SystemExit as exc:
            from flowkit.stdin import input_abandoned

            if input_abandoned():  # a reader thread still blocked on stdin would make shutdown abort
                _exit_now(exc.code)
            raise

    def _main(self, args: Any, prog_name: str | None, complete_var: str | None, standalone_mode: bool, **extra: Any) -> Any:
        with handle_signals():
            try:
                return super().main(args, prog_name, complete_var, standalone_mode, **extra)
            except FlowkitError as exc:
                if not standalone_mode:
                    raise
                fail(exc)
            except Interrupted as exc:
                if not standalone_mode:
                    raise
                from flowkit import log

                log.emit(exc.line(), event="interrupted", level="error", exit_code=exc.exit_code, signal=exc.name)
                sys.exit(exc.exit_code)
            except Exception as exc:  # a bug outside the record loop: one line and 70, the traceback at -vv
                if not standalone_mode:
                    raise
                from flowkit.errors import InternalError
                from flowkit.log import LOG

                LOG.debug("internal error", exc_info=exc)
                text = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
                fail(InternalError(f"internal error ({text}); please report it (run with -vv for the traceback)"))


def _exit_now(code: object) -> NoReturn:
    """Flush stdout and stderr and end the process at once with ``code`` (``SystemExit``'s meaning)."""
    status = code if isinstance(code, int) else (0 if code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the next command closed the pipe, or the stream is closed
            pass
    os._exit(status)


_READY: set[click.Command] = set()  # the commands whose callback gets the run ready first


def _ready_first(command: click.Command) -> click.Command:
    """``command`` with a callback that first applies the root's log setup (and freezes what is loaded, as ``main``).

    A help page or a usage error ends before any callback runs, so they never pay for logging
    (``flowkit.log.ready``).
    """
    if command not in _READY:
        _READY.add(command)
        run = command.callback

        @functools.wraps(run or _nothing)
        def callback(*args: Any, **kwargs: Any) -> Any:
            from flowkit import log

            gc.freeze()  # the command's module and options, as main's freeze
            log.ready()
            return None if run is None else run(*args, **kwargs)

        command.callback = callback
    return command


def _nothing() -> None:
    """The callback of a command that has none."""


def help_width() -> int | None:
    """The width click's help takes, found as click does but without importing shutil (~5 ms of each start).

    ``shutil.get_terminal_size``'s rule: ``$COLUMNS``, else the terminal of stdout, else 80;
    click then keeps it within 50..78. None where click's width is forced (its test runner).
    """
    from click import formatting

    if formatting.FORCED_WIDTH is not None:
        return None
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return max(min(columns, 80) - 2, 50)


def _early_log_format(argv: list[str]) -> None:
    """``--log-format json`` (or ``FLOWKIT_LOG_FORMAT``) applied before the root options are parsed.

    A usage error in the root options or the command name is found before ``log.setup`` runs;
    its line must be JSON too when JSON was asked for.
    """
    fmt = os.environ.get("FLOWKIT_LOG_FORMAT") or "text"
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--log-format" and index + 1 < len(argv):
            fmt = argv[index + 1]
        elif arg.startswith("--log-format="):
            fmt = arg.split("=", 1)[1]
    from flowkit import log

    log.use_format("json" if fmt == "json" else "text")


def _store_error(ctx: click.Context, exc: Exception) -> FlowkitError | None:
    """``exc`` as the open state store's flowkit error, when it is a sqlite or PostgreSQL error of a failing store."""
    if not type(exc).__module__.startswith(("sqlite3", "psycopg")):
        return None
    from flowkit.cli.app import App

    app = ctx.find_object(App)
    return None if app is None else app.store_error(exc)


def _one_line(exc: click.UsageError) -> OneLineUsageError:
    return OneLineUsageError(exc.format_message(), exc.ctx.command_path if exc.ctx else "flowkit")


def fail(exc: FlowkitError) -> NoReturn:
    """Print ``exc`` as flowkit's one error line on stderr (after its ``problem_lines``) and exit with its code."""
    from flowkit import log
    from flowkit.problems import record_fields

    if exc.problem_lines:  # a config's or rules file's problems, one a line, as 'flowkit config check' prints them
        from flowkit.secrets import redact_text

        for line in exc.problem_lines:
            log.emit(f"flowkit: {redact_text(line)}", event="config-problem", level="error")
    problems = getattr(exc, "problems", ()) if log.is_json() else ()  # a raw document's, each with its JSON path
    listed = record_fields(problems).get("problems") if problems else None
    log.emit(
        f"flowkit: error: {exc.format_message()}", event="error", level="error", exit_code=int(exc.exit_code), problems=listed
    )
    sys.exit(exc.exit_code)
