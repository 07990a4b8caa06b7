"""The per-invocation application object on ``ctx.obj``: config, state, logging.

Imported by every command module at start-up, so it imports nothing beyond
click at module level: the config, the store and logging load on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from flowkit.cli.signals import Interrupted
from flowkit.errors import FlowkitError, PartialError

ARGV = "flowkit.argv"
"""ctx.meta key of the root context: the command line as given (the root group keeps it, the run log shows it)."""

if TYPE_CHECKING:
    from pathlib import Path

    from flowkit.config import Config
    from flowkit.errors import ConfigError
    from flowkit.store import Store
    from flowkit.store.location import PgUrl


class App:
    """What every command can reach: the loaded config and the state store."""

    def __init__(self, *, state_override: str | None = None, verbosity: int = 0) -> None:
        self.config_error: ConfigError | None = None
        self._loaded: Config | None = None
        self.state_override = state_override
        self.config_arg: str | None = None
        self.verbosity = verbosity
        self._store: Store | None = None
        self.metrics_override: str | None = None

    @property
    def loaded(self) -> Config:
        """The config as loaded (defaults when no file), even if it had an error."""
        if self._loaded is None:
            from flowkit.config import Config

            self._loaded = Config()
        return self._loaded

    @loaded.setter
    def loaded(self, value: Config) -> None:
        self._loaded = value

    @property
    def config(self) -> Config:
        if self.config_error is not None:
            raise self.config_error
        return self.loaded

    @property
    def state_path(self) -> Path | PgUrl:
        return self.config.state_path(self.state_override)

    def store(self) -> Store:
        """Open the state store once per invocation; closed when the command ends."""
        if self._store is None:
            from flowkit.store import Store

            timeout = float(self.config.section("state").get("busy_timeout", 10))
            self._store = Store(self.state_path, busy_timeout=timeout)
            click.get_current_context().call_on_close(self._store.close)
        return self._store

    def store_error(self, exc: BaseException) -> FlowkitError | None:
        """``exc`` as the flowkit error of the opened store (one line naming the file), when it is one."""
        if self._store is None:
            return None
        return self._store.error(exc)

    @property
    def lock_timeout(self) -> float:
        return float(self.config.section("state").get("lock_timeout", 10))

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold the cross-process lock ``name`` (waits ``state.lock_timeout``, then exit 75)."""
        from flowkit.store.lock import exclusive

        with exclusive(self.state_path, name, wait=self.lock_timeout):
            yield

    @contextmanager
    def run(self, command: str, counts: dict[str, Any], target: str | None = None) -> Iterator[None]:
        """Log this command run in the store (start, end, counts, status), then write the metrics file if asked.

        ``target`` names what the run worked against (a destination, a source) for ``state runs`` and metrics.
        """
        store = self.store()
        ctx = click.get_current_context()
        run_id = store.start_run(command, _command_line(ctx), target)
        from flowkit import log

        log.context.update(command=command, run=run_id)
        status, outcome = "ok", _Outcome()
        _pipeline_first_error(reset=True)
        try:
            yield
        except FlowkitError as exc:
            status = "partial" if exc.exit_code == 1 else f"error:{exc.exit_code}"
            outcome.exit_code, outcome.error = int(exc.exit_code), exc.format_message()
            outcome.partial = isinstance(exc, PartialError)
            raise
        except BrokenPipeError:  # the next command exited first (click then exits 1 quietly)
            status = "broken-pipe"
            outcome.exit_code = 1
            log.emit(
                f"flowkit: {command}: the next command of the pipeline stopped reading; what this run did "
                "is recorded (flowkit state runs), the rest is done by the next run",
                event="broken-pipe",
                level="warning",
            )
            raise
        except Interrupted as exc:  # SIGINT/SIGTERM: the root group says so and exits 130/143
            status = "interrupted"
            outcome.exit_code, outcome.error = exc.exit_code, exc.line()
            raise
        except BaseException as exc:
            mapped = self.store_error(exc)  # the store failed under a row read late
            if mapped is None:
                status = "crashed"
                if not isinstance(exc, (BrokenPipeError, SystemExit, GeneratorExit)):
                    from flowkit.secrets import redact_text

                    outcome.exit_code, outcome.error = 70, redact_text(f"{type(exc).__name__}: {exc}")
                raise
            status = f"error:{mapped.exit_code}"
            outcome.exit_code, outcome.error = int(mapped.exit_code), mapped.format_message()
            raise mapped from exc
        finally:
            if outcome.exit_code is None and status == "ok":
                outcome.exit_code = 0
            first = _pipeline_first_error()
            if first and (outcome.error is None or outcome.partial):
                # records failed: the first one says why (and the summary how many)
                outcome.error = first if outcome.error is None else f"{first} ({outcome.error})"
            self._finish(store, run_id, command, status, counts, outcome)
            self._alert(store, run_id, command, target, status, counts, outcome)
            self._metrics(store)

    @staticmethod
    def _finish(store: Store, run_id: int, command: str, status: str, counts: dict[str, Any], outcome: _Outcome) -> None:
        """Log the run's end; a store that fails now (full, read-only) is reported only when the run went well."""
        from flowkit.log import LOG

        try:
            store.finish_run(run_id, status, counts, exit_code=outcome.exit_code, error=outcome.error)
        except FlowkitError as exc:
            if status == "ok":
                raise
            LOG.info("%s run %d: its end (%s) was not logged: %s", command, run_id, status, exc)
            return
        extra = {"event": "run-finished", "status": status, "exit_code": outcome.exit_code, "counts": counts}
        LOG.info("%s run %d finished: %s %s", command, run_id, status, counts, extra=extra)

    def _alert(
        self, store: Store, run_id: int, command: str, target: str | None, status: str, counts: dict[str, Any], outcome: _Outcome
    ) -> None:
        """The run's alert, when ``[alerts]`` asks for one (flowkit/alerts.py): it never changes how the run ends."""
        if self.config_error is not None or not self.loaded.section("alerts"):
            return
        from flowkit.alerts import RunEnd, after_run

        end = RunEnd(run_id, command, target, status, outcome.exit_code, dict(counts))
        after_run(self.loaded, store, end, warn=self.verbosity >= 0)

    @property
    def metrics_path(self) -> Path | None:
        """``--metrics-file``, else ``[metrics] file`` (relative to the config file), else None."""
        from pathlib import Path

        if self.metrics_override:
            return Path(self.metrics_override)
        configured = self.loaded.section("metrics").get("file") if self.config_error is None else None
        return None if not configured else self.loaded.resolve_path(str(configured))

    def _metrics(self, store: Store) -> None:
        """Rewrite the metrics file from the store; a failure is said on stderr and changes no exit code."""
        path = self.metrics_path
        if path is None:
            return
        from flowkit.metrics import write

        try:
            write(path, store)
        except Exception as exc:  # monitoring never fails a run: said, and the collector sees a stale file
            message = exc.format_message() if isinstance(exc, FlowkitError) else f"{type(exc).__name__}: {exc}"
            from flowkit import log

            if self.verbosity >= 0:
                log.emit(
                    f"flowkit: warning: the metrics were not written: {message}", event="metrics-not-written", level="warning"
                )


class _Outcome:
    """How a run ended, for the run log: its exit code and the first error (None while unknown)."""

    def __init__(self) -> None:
        self.exit_code: int | None = None
        self.error: str | None = None
        self.partial = False  # the error is the record loop's summary of failed records


def _command_line(ctx: click.Context) -> list[str]:
    """The run's command line as given (``flowkit`` options included), passwords and secrets masked."""
    from flowkit.secrets import redact_text, remember_url

    argv = [str(a) for a in ctx.find_root().meta.get(ARGV, ctx.args or [])]
    for arg in argv:
        remember_url(arg)
    return [redact_text(a) for a in argv]


def _pipeline_first_error(reset: bool = False) -> str | None:
    """The first record error the record loop reported, when this run used it (never imports it)."""
    import sys

    pipeline = sys.modules.get("flowkit.pipeline")
    return None if pipeline is None else pipeline.first_error(reset)


def get_app() -> App:
    ctx = click.get_current_context()
    app = ctx.find_object(App)
    if app is None:  # a command invoked on its own, e.g. in a test
        app = ctx.ensure_object(App)
    return app
