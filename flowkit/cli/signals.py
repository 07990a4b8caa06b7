"""SIGINT and SIGTERM as an exception: a run stops as on any error, then says so and exits 130 or 143.

While the root group runs (``groups.RootGroup.main``) both signals raise
``Interrupted`` in the main thread, wherever it is: the open transaction rolls
back (``Store.transaction``), the window's work is committed or discarded
(``pipeline.run``), the run is logged as ``interrupted`` (``app.App.run``);
then one line on stderr and exit 128 + the signal. SIGPIPE keeps Python's
handling (a ``BrokenPipeError``, see ``app.App.run``).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: raised in the main thread, it stops the run as an error would.

    A ``BaseException``, so no ``except Exception`` (a per-record net, a retry loop) takes it for a failure.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        self.command: str | None = None  # the running command, when known
        super().__init__(self.name)

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a process a signal stopped: 130, 143."""
        return 128 + self.signum

    def line(self) -> str:
        """The line on stderr: ``flowkit: deliver: interrupted (SIGTERM); what was done is recorded, rerun to finish``."""
        where = f" {self.command}:" if self.command else ""
        return f"flowkit:{where} interrupted ({self.name}); what was done is recorded, rerun to finish"


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def handle_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise ``Interrupted`` for the block (the handlers before it come back after)."""
    try:
        before = {signum: signal.signal(signum, _raise_interrupted) for signum in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread (an embedding program): its own handlers stay
        yield
        return
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
