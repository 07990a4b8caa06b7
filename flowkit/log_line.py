"""One JSON log line: the fields every flowkit JSON line carries (``--log-format json``).

Shared by ``flowkit.log.emit`` (errors, summaries) and ``log_format.JsonFormatter``
(the ``logging`` records), so both write the same object; no ``logging`` import here.
"""

from __future__ import annotations

import time
from typing import Any

# What every JSON line names: the command running and its run id in the state store (``state runs``).
context: dict[str, Any] = {"command": None, "run": None}


def json_line(text: str, *, event: str, level: str, created: float | None = None, **fields: Any) -> str:
    """The JSON object of one stderr line (``emit``'s, and the log records' in ``log_format``)."""
    import orjson

    from flowkit.secrets import redact, redact_text

    stamp = time.time() if created is None else created
    out: dict[str, Any] = {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp)) + f".{int(stamp % 1 * 1000):03d}Z",
        "level": level,
        "command": context["command"],
        "run": context["run"],
        "event": event,
        "msg": redact_text(text),
    }
    for name, value in fields.items():
        if value is not None:
            out[name] = redact_text(value) if isinstance(value, str) else redact(value)
    return orjson.dumps(out, default=str).decode()
