"""``flowkit check``: can each destination and source be reached, with its credentials, before a first run?

A destination is connected to and authenticated with as deliver would (host
key, TLS), then given a probe that changes nothing in the end: a dot file
written and removed (hotfolder, SFTP, FTP/FTPS), a request that creates
nothing (HTTP), NOOP and RSET without a mail (email). A source lists one
page (HTTP API), or its folder is read and its order files counted (dir).
Each target gives one ``Outcome``; the run's exit code is the most severe of
theirs: 78 (config) over 69 (refused) over 75 (temporary), 0 when all are ok.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from flowkit.check.model import SEVERITY, Outcome, Target
from flowkit.config import Config
from flowkit.errors import ConfigError, ExitCode, FlowkitError
from flowkit.secrets import redact_text


def targets(config: Config, names: Sequence[str], *, store: Callable[[], Any], timeout: float | None = None) -> list[Target]:
    """The targets ``names`` stand for (each destination and source of the config when none is named)."""
    from flowkit.check import destinations, sources

    def destination(name: str) -> Target:
        return destinations.target(config, name, timeout=timeout)

    def source(name: str) -> Target:
        return sources.target(config, name, store=store, timeout=timeout)

    if not names:
        return [*map(destination, config.section("destinations")), *map(source, config.section("sources"))]
    found: list[Target] = []
    for name in names:
        listed = [
            make(name) for kind, make in (("destinations", destination), ("sources", source)) if name in config.section(kind)
        ]
        if listed:
            found += listed
        elif "://" in name:
            found.append(destination(name))
        elif "/" in name:
            found.append(source(name))  # a folder of order files, as query-orders --source takes it
        else:
            found.append(unknown(config, name))
    return found


def unknown(config: Config, name: str) -> Target:
    listed = "; ".join(f"{kind}: {', '.join(sorted(config.section(kind))) or 'none'}" for kind in ("destinations", "sources"))
    error = ConfigError(f"{config.where()}: no destination or source named {name!r} ({listed})")
    return Target(name, "unknown", "-", "-", error=error)


def run(target: Target) -> Outcome:
    """Check one target: connect, authenticate, probe, close; never raises a flowkit error."""
    from flowkit.check.reasons import reason

    started = time.monotonic()
    code, detail = 0, ""
    try:
        if target.error is not None:
            raise target.error
        assert target.probe is not None
        detail = target.probe()
    except FlowkitError as exc:
        code = exc.exit_code if exc.exit_code in SEVERITY else int(ExitCode.UNAVAILABLE)
        detail = reason(exc, target.timeout)
    finally:
        if target.close is not None:
            try:
                target.close()
            except (OSError, FlowkitError):
                pass  # the check is done; a failing goodbye says nothing about the target
    shown = (redact_text(target.name), redact_text(target.where), redact_text(detail))
    return Outcome(shown[0], target.kind, target.type, shown[1], code, shown[2], time.monotonic() - started)


def check(found: Iterable[Target]) -> Iterator[Outcome]:
    """Each target's outcome, in order, as it is done."""
    for target in found:
        yield run(target)


def exit_code(outcomes: Iterable[Outcome]) -> int:
    """0 when every target is ok, else the most severe code met: 78, then 69, then 75."""
    codes = {o.exit_code for o in outcomes}
    return next((code for code in SEVERITY if code in codes), 0)


def line(outcome: Outcome, widths: tuple[int, int]) -> str:
    """``ok    NAME  WHERE  what was done in 0.12 s`` (``fail`` and the exit code when it is not ok)."""
    status = "ok" if outcome.ok else "fail"
    detail = outcome.detail if outcome.ok else f"{outcome.detail} (exit {outcome.exit_code})"
    return f"{status:<5} {outcome.name:<{widths[0]}}  {outcome.where:<{widths[1]}}  {detail} in {outcome.seconds:.2f} s"
