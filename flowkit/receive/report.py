"""The receiver's lines on stderr (``flowkit.log.emit``): one per post at ``-v``, every refusal always.

A line names the status, the route's path, the inbox file, the size, the time
and the client address; a refusal, its reason. Never a header value, a secret
or the body: a path that matches no route is shown without its query.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flowkit import log

if TYPE_CHECKING:
    from flowkit.receive.accept import Answer
    from flowkit.receive.config import Route


class Report:
    """Counts the answers and writes the lines (one writer at a time: the server has many threads)."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def say(self, text: str, *, event: str, level: str = "info", **fields: Any) -> None:
        """A line shown unless ``-q`` (start, stop, the routes)."""
        if self.verbosity >= 0 or level == "error":
            with self._lock:
                log.emit(f"flowkit: receive: {text}", event=event, level=level, **fields)

    def post(self, answer: Answer, route: Route | None, raw_path: str, client: str, size: int, seconds: float) -> None:
        path = route.path if route is not None else urlsplit(raw_path).path[:100]
        with self._lock:
            self.counts["posts"] += 1
            self.counts["accepted" if answer.status == 202 else "refused"] += 1
            self.counts["replayed"] += answer.replay
        fields: dict[str, Any] = {"status": answer.status, "route": route.name if route else None, "path": path, "client": client}
        if answer.status < 400:
            if self.verbosity >= 1:
                replay = ", replayed" if answer.replay else ""
                text = f"{answer.status} {path} {answer.name} ({size} bytes, {seconds * 1000:.1f} ms{replay}) from {client}"
                with self._lock:
                    log.emit(
                        f"flowkit: receive: {text}",
                        event="post",
                        file=answer.name,
                        bytes=size,
                        ms=round(seconds * 1000, 1),
                        replayed=answer.replay or None,
                        **fields,
                    )
            return
        reason = str(answer.body.get("error", ""))
        self.error(answer.status, path, client, reason, route=fields["route"])

    def error(self, status: int, path: str, client: str, reason: str, **fields: Any) -> None:
        if self.verbosity < 0:
            return
        from flowkit.secrets import redact_text

        shown = f"{status} {path}" if status else "connection"
        with self._lock:
            log.emit(
                f"flowkit: receive: {shown} from {client}: {redact_text(reason)}",
                event="refused" if status else "connection-error",
                level="warning",
                status=status or None,
                path=path if status else None,
                client=client,
                **fields,
            )
