"""Every problem at once: how validation errors name all their problems, up to a cap.

Orders (``flowkit.model``), record lines (``flowkit.records``), config files
(``flowkit.config``) and rules files (``flowkit.apply_rules.loader``) collect
every problem, not the first one, so one run tells what to fix; so does
apply-rules when it refuses an order (``flowkit.apply_rules.refusal``).

- A failed record keeps its ONE stderr line: the problems follow its summary,
  joined by ``"; "``, the first ``CAP`` of them and then ``and N more``. Its
  error record's body lists the same ones as ``{"path", "message"}`` objects
  (``problems``) with the count of all (``problem_count``); so does the
  ``record-failed`` JSON log line (``problems``).
- A config or rules file stops the run: each problem is a ``file:line: …``
  line of its own (as ``flowkit config check`` prints them, what editors and
  CI read), the first ``CAP``, then the ``flowkit: error:`` line that counts them.

Collecting them costs nothing on valid input: the order validator's fast path
answers first, and only an order it refuses is walked to name its problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowkit.errors import RecordError

CAP = 20
"""The most problems named at once (the count always says how many there are)."""


def counted(total: int) -> str:
    """``1 problem``, ``5 problems``."""
    return f"{total} problem" if total == 1 else f"{total} problems"


def joined(texts: Sequence[str], total: int | None = None) -> str:
    """The first ``CAP`` texts joined by ``"; "``, then ``and N more`` when ``total`` (default: all texts) is larger."""
    total = len(texts) if total is None else total
    shown = "; ".join(texts[:CAP])
    rest = total - min(len(texts), CAP)
    return f"{shown}; and {rest} more" if rest > 0 else shown


def summary(what: str, texts: Sequence[str], total: int | None = None) -> str:
    """``WHAT: the problem`` for one, ``WHAT (N problems): a; b; …`` for several (see ``joined``)."""
    total = len(texts) if total is None else total
    if total == 1:
        return f"{what}: {texts[0]}"
    return f"{what} ({counted(total)}): {joined(texts, total)}"


def listing(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """The first ``CAP`` ``(path, message)`` pairs as the ``problems`` objects of an error record or log line."""
    return [{"path": path, "message": message} for path, message in pairs[:CAP]]


def record_fields(problems: Sequence[tuple[str, str]], count: int = 0) -> dict[str, object]:
    """An error record body's ``problems`` (``listing``) and ``problem_count`` (all of them); empty without problems."""
    if not problems:
        return {}
    from flowkit.secrets import redact  # the messages quote values: masked as the error text is

    return {"problems": redact(listing(problems)), "problem_count": max(count, len(problems))}


def refuse(where: str, problems: Sequence[str]) -> None:
    """Raise the ``ConfigError`` (exit 78) of the file ``where`` when it has ``problems`` (``file:line: …`` texts).

    One problem is the error line itself; several are counted there and each printed on a
    line of its own before it (``FlowkitError.problem_lines``, the first ``CAP``).
    """
    if not problems:
        return
    from flowkit.errors import ConfigError

    if len(problems) == 1:
        raise ConfigError(problems[0])
    error = ConfigError(f"{where}: {len(problems)} problem(s)")
    error.problem_lines = tuple(problems[:CAP])
    raise error


def record_error(what: str, problems: Sequence[Any]) -> RecordError:
    """The ``RecordError`` (exit 65) of a value with validation ``problems`` (each with ``path`` and ``message``).

    Its message is ``summary(what, …)``; the first ``CAP`` become its ``problems`` (a path is rendered for those only).
    """
    from flowkit.errors import ExitCode, RecordError

    pairs = tuple((problem.path, problem.message) for problem in problems[:CAP])
    message = summary(what, [f"{path}: {text}" for path, text in pairs], len(problems))
    return RecordError(message, code=ExitCode.DATAERR, problems=pairs, problem_count=len(problems))
