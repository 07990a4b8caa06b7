"""Logging to stderr: text for people, JSON lines for cron (``--log-format json``), secrets masked.

The root command calls ``setup`` on every start. When the ``logging`` module
is already in use, the ``flowkit`` logger is configured at once; otherwise
``ready`` configures it right before the command runs (the root group calls
it), so a ``CMD --help`` never imports logging (about 6 ms of its start).
The lines' formats are in ``flowkit.log_format``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import logging

from flowkit.log_line import context, json_line

__all__ = ["LOG", "context", "emit", "for_people", "is_json", "json_line", "logger", "ready", "setup", "use_format"]

_pending: tuple[int, str] | None = None
_format = "text"
_verbosity = 0


def setup(verbosity: int, fmt: str) -> None:
    """Configure the ``flowkit`` logger; ``verbosity`` -1 quiet, 0 warnings, 1 info, 2 debug."""
    global _pending, _format, _verbosity
    _pending = (verbosity, fmt)
    _format, _verbosity = fmt, verbosity
    context.update(command=None, run=None)
    if "logging" in sys.modules:
        ready()


def use_format(fmt: str) -> None:
    """Set the line format before ``setup`` runs (a usage error found while the root options are parsed)."""
    global _format
    _format = fmt


def is_json() -> bool:
    """True under ``--log-format json`` (or ``[log] format = "json"``): every stderr line is a JSON object."""
    return _format == "json"


def for_people() -> bool:
    """True unless ``-q`` or JSON log lines: decoration (progress, tables) may be drawn on a terminal."""
    return _verbosity >= 0 and _format != "json"


def emit(text: str, *, event: str, level: str = "info", **fields: Any) -> None:
    """One line on stderr: ``text`` as it is, or under ``--log-format json`` one JSON object.

    The object's fixed fields are ``ts``, ``level``, ``command``, ``run``, ``event`` and
    ``msg`` (``text``, secrets masked), then ``fields`` as given (``key``, ``destination``,
    ``exit_code``, counts as numbers); None values are left out.
    """
    if _format != "json":
        print(text, file=sys.stderr, flush=True)
        return
    sys.stderr.write(json_line(text, event=event, level=level, **fields) + "\n")
    sys.stderr.flush()


class _Lazy:
    """The ``flowkit`` logger, configured on first use (``LOG``): a run that logs nothing never imports logging."""

    def __getattr__(self, name: str) -> Any:
        return getattr(logger(), name)


LOG = cast("logging.Logger", _Lazy())


def logger() -> logging.Logger:
    """The ``flowkit`` logger, with the setup applied."""
    import logging

    ready(force=True)
    return logging.getLogger("flowkit")


def ready(force: bool = False) -> None:
    """Apply the configuration ``setup`` was given, if it is not applied yet.

    The root group calls it before a command runs; until ``logging`` is in use (a library
    imported it, or ``LOG`` was used) it waits, so a run that logs nothing never imports it.
    """
    global _pending
    if _pending is None or (not force and "logging" not in sys.modules):
        return
    verbosity, fmt = _pending
    _pending = None
    import logging

    from flowkit.log_format import JsonFormatter, Redacting

    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logger = logging.getLogger("flowkit")
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("flowkit: %(levelname)s: %(message)s"))
    handler.addFilter(Redacting())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
