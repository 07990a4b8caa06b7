"""The per-invocation application object on ``ctx.obj``: config, state, logging."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flowkit.config import Config
from flowkit.errors import ConfigError, FlowkitError

if TYPE_CHECKING:
    from flowkit.store import Store

log = logging.getLogger("flowkit")


@dataclass
class App:
    """What every command can reach: the loaded config and the state store."""

    config_error: ConfigError | None = None
    loaded: Config = field(default_factory=Config)
    state_override: str | None = None
    config_arg: str | None = None
    verbosity: int = 0
    _store: Store | None = None

    @property
    def config(self) -> Config:
        if self.config_error is not None:
            raise self.config_error
        return self.loaded

    @property
    def state_path(self) -> Path:
        return self.config.state_path(self.state_override)

    def store(self) -> Store:
        """Open the state store once per invocation; closed when the command ends."""
        if self._store is None:
            from flowkit.store import Store

            timeout = float(self.config.section("state").get("busy_timeout", 10))
            self._store = Store(self.state_path, busy_timeout=timeout)
            click.get_current_context().call_on_close(self._store.close)
        return self._store

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
    def run(self, command: str, counts: dict[str, Any]) -> Iterator[None]:
        """Log this command run in the store (start, end, counts, status)."""
        store = self.store()
        ctx = click.get_current_context()
        run_id = store.start_run(command, [a for a in (ctx.args or [])])
        status = "ok"
        try:
            yield
        except FlowkitError as exc:
            status = "partial" if exc.exit_code == 1 else f"error:{exc.exit_code}"
            raise
        except BaseException:
            status = "crashed"
            raise
        finally:
            store.finish_run(run_id, status, counts)
            log.info("%s run %d finished: %s %s", command, run_id, status, counts)


def get_app() -> App:
    ctx = click.get_current_context()
    app = ctx.find_object(App)
    if app is None:  # a command invoked on its own, e.g. in a test
        app = ctx.ensure_object(App)
    return app
