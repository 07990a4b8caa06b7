"""Human output only on a terminal; JSON log lines for cron."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from flowkit import log
from flowkit.cli import console


def test_progress_on_a_pipe_is_plain_and_does_not_import_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.delitem(sys.modules, "rich.progress", raising=False)
    assert list(console.progress(range(5), label="x")) == [0, 1, 2, 3, 4]
    assert "rich.progress" not in sys.modules
    assert sys.stderr.getvalue() == ""


def test_json_log_lines_carry_extra_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    log.setup(1, "json")
    logging.getLogger("flowkit").info("delivered %s", "1203", extra={"destination": "mis"})
    line = json.loads(stream.getvalue())
    assert line["level"] == "info" and line["msg"] == "delivered 1203" and line["destination"] == "mis"
    assert line["ts"].endswith("Z")


def test_text_log_and_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    log.setup(-1, "text")
    logging.getLogger("flowkit").warning("hidden")
    logging.getLogger("flowkit").error("shown")
    assert stream.getvalue() == "flowkit: ERROR: shown\n"
