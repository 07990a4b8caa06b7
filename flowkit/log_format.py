"""How flowkit's log lines look: text for people, JSON lines for cron (``--log-format json``), secrets masked.

Every line goes through ``flowkit.secrets.redact_text`` (message, ``extra=``
fields and a traceback alike), so no log line shows a secret. ``flowkit.log``
installs them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

_STD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg and any ``extra=`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        import json  # here: a run that logs nothing does not pay for it

        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STD_ATTRS and not name.startswith("_"):
                out[name] = value
        return json.dumps(out, default=str, ensure_ascii=False)


class Redacting(logging.Filter):
    """Masks secrets in a record's message, its string ``extra=`` fields and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flowkit.secrets import redact_text

        record.msg, record.args = redact_text(record.getMessage()), None
        for name, value in vars(record).items():
            if name not in _STD_ATTRS and isinstance(value, str):
                setattr(record, name, redact_text(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        return True
