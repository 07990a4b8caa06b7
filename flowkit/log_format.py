"""How flowkit's log lines look: text for people, JSON lines for cron (``--log-format json``), secrets masked.

Every line goes through ``flowkit.secrets.redact_text`` (message, ``extra=``
fields and a traceback alike), so no log line shows a secret. ``flowkit.log``
installs them.
"""

from __future__ import annotations

import logging
from typing import Any

_STD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, the fields of every flowkit JSON line (``log.json_line``) and any ``extra=``."""

    def format(self, record: logging.LogRecord) -> str:
        from flowkit.log_line import json_line

        fields: dict[str, Any] = {"event": "log", "logger": record.name}
        for name, value in vars(record).items():
            if name not in _STD_ATTRS and not name.startswith("_"):
                fields[name] = value
        if record.exc_text:
            fields["traceback"] = record.exc_text
        event = str(fields.pop("event"))
        return json_line(record.getMessage(), event=event, level=record.levelname.lower(), created=record.created, **fields)


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
