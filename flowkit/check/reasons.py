"""A failed check's reason in words: "connection refused", "timed out after 10 s", not an exception's name.

A temporary failure (75) is named by the low-level cause the transport chained
(``raise … from exc``): refused, timed out, host name not found, reset.
Refusals (69) and config errors (78) keep the transport's own message, which
already says what was refused and what to do.
"""

from __future__ import annotations

from flowkit.errors import ExitCode, FlowkitError
from flowkit.reasons import causes, words

__all__ = ["causes", "reason", "words"]


def reason(exc: FlowkitError, timeout: float | None = None) -> str:
    """The line's reason: the cause in words for a temporary failure, else the flowkit message."""
    message = exc.format_message()
    if exc.exit_code != ExitCode.TEMPFAIL:
        return message
    said = words(exc, timeout)
    return message if said is None else said
