"""Hostile file names for every file transport (hotfolder, SFTP, FTP): one set of cases, one check.

Each case is a payload whose key or ``meta.filename`` holds a NUL, control
characters, 1,000 characters, ``..`` or an absolute path. ``check_names``
delivers them all, checks what landed in the destination folder (sanitised,
inside the folder, no ``.part`` left), that an impossible name fails only its
own record as data (its exit code 65; the run's is 1 as the others were done) without a ledger row, and that a rerun says
``duplicate`` for the others and fails the impossible one the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from conftest import record_line

from flowkit.store import Store

LONG = "L" * 1000
IMPOSSIBLE = "/".join(["d" * 300] * 6)  # six components, each cut to 200 bytes: 1,205 bytes in all


def hostile(key: str, filename: str | None = None) -> str:
    meta: dict[str, Any] = {"channel": "web", "format": "xml"}
    if filename is not None:
        meta["filename"] = filename
    return record_line("payload", key, f"<order n='{len(key)}'/>", meta=meta, type="application/xml")


H = "~[0-9a-f]{8}"  # the hash a value that had to change carries, so no two values share a name
CASES: list[tuple[str, str | None, str | None]] = [  # key, meta.filename, the name expected (a regex; None: capped)
    ("nul", "b\x00c.xml", rf"bc{H}\.xml"),
    ("ctl", "tab\tnew\nline\r\x7f\x1b[0m\x85.xml", rf"tabnewline\[0m{H}\.xml"),
    ("k\x01e\x1fy\u2028", None, rf"key{H}\.xml"),
    ("long-name", LONG + ".xml", None),
    ("long-name-2", LONG + "2.xml", None),
    ("K" * 1000, None, None),
    ("..", None, rf"_{H}\.xml"),
    ("climb", "../../escape.xml", rf"_{H}/_{H}/escape\.xml"),
    ("absolute", "/etc/passwd", r"etc/passwd"),
    ("../../etc/passwd", None, rf"_\.\._etc_passwd{H}\.xml"),
]


def records(text: str) -> list[dict[str, Any]]:
    """Output records, split on newlines only (``str.splitlines`` would also split at the NEL a meta value holds)."""
    return [orjson.loads(line) for line in text.split("\n") if line.strip()]


def check_names(invoke: Callable[..., Any], state_path: Path, args: list[str], root: Path, config: Path | None = None) -> None:
    """Deliver every case plus an impossible name to ``args`` (``--to …``), whose files land under ``root``."""
    stream = "".join(hostile(key, name) for key, name, _ in CASES)
    stream += hostile("impossible", IMPOSSIBLE) + hostile("nul\x00key")
    first = invoke(["deliver", *args], input=stream, config=config)
    assert first.exit_code == 1, first.stderr  # one record failed (as data), the others were delivered
    bodies = [r["body"] for r in records(first.stdout) if r["kind"] == "result"]
    errors = [r for r in records(first.stdout) if r["kind"] == "error"]
    assert [b["status"] for b in bodies] == ["delivered"] * len(CASES), first.stderr
    assert [e["key"] for e in errors] == ["impossible", "nul\x00key"]
    assert "too long" in errors[0]["body"]["error"] and "NUL" in errors[1]["body"]["error"]
    assert [e["body"]["exit_code"] for e in errors] == [65, 65]
    lines = [line for line in first.stderr.split("\n") if "impossible" in line or "nul" in line]
    assert len(lines) == 2, first.stderr  # one line per refused record
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert not [name for name in written if name.endswith(".part")]
    patterns = [name for _, _, name in CASES if name is not None]
    matched = [name for name in written if any(re.fullmatch(p, name) for p in patterns)]
    assert all(any(re.fullmatch(p, name) for name in written) for p in patterns), written
    assert len(matched) == len(patterns)
    capped = [name for name in written if name not in matched]
    assert len(capped) == 3  # two long file names and a long key: three distinct files
    for name in capped:
        assert len(name.encode()) == 200 and "~" in name and name.endswith(".xml"), name
        assert name.startswith("LLLL") or name.startswith("KKKK")
    assert all(root.resolve() in (root / name).resolve().parents for name in written)
    again = invoke(["deliver", *args], input=stream, config=config)
    assert again.exit_code == 1, again.stderr
    assert [r["body"]["status"] for r in records(again.stdout) if r["kind"] == "result"] == ["duplicate"] * len(CASES)
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == written
    store = Store(state_path)
    try:
        rows = store.conn.execute("SELECT key, status FROM deliveries").fetchall()
    finally:
        store.close()
    assert not {"impossible", "nul\x00key"} & {row["key"] for row in rows}  # refused before any intent: no row at all
    assert {row["status"] for row in rows} == {"delivered"}  # nothing left sending
