"""What ``flowkit check`` works with: a target (built, not yet connected) and the outcome of checking it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowkit.errors import ExitCode, FlowkitError

SEVERITY = (int(ExitCode.CONFIG), int(ExitCode.UNAVAILABLE), int(ExitCode.TEMPFAIL))  # most severe first


@dataclass(frozen=True)
class Outcome:
    """What checking one target found: ``exit_code`` 0 when it is ok, else 69, 75 or 78 and the reason."""

    name: str
    kind: str  # destination | source
    type: str
    where: str
    exit_code: int
    detail: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.name,
            "kind": self.kind,
            "type": self.type,
            "where": self.where,
            "ok": self.ok,
            "exit_code": self.exit_code,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Target:
    """One destination or source, built (not yet connected): ``probe`` connects and returns what it did."""

    name: str
    kind: str
    type: str
    where: str
    probe: Callable[[], str] | None = None
    close: Callable[[], None] | None = None
    timeout: float | None = None
    error: FlowkitError | None = None  # the target could not even be built (config)


def probe_name() -> str:
    """The probe file's name: a dot file (consumers skip those, as they skip deliver's .part files)."""
    return f".flowkit-check-{secrets.token_hex(4)}"
