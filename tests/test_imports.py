"""Start-up stays light: help never imports the heavy adapters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import all_commands

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("lxml", "paramiko", "rich", "httpx", "jolt", "cryptography", "sqlite3", "saxonche")

PROBE = """
import json, sys
from flowkit.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="flowkit", standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)
"""


@pytest.mark.parametrize("path", [(), *all_commands()], ids=lambda p: " ".join(p) or "root")
def test_help_imports_nothing_heavy(path: tuple[str, ...]) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, *path, "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert not modules & set(HEAVY), f"'flowkit {' '.join(path)} --help' imported {sorted(modules & set(HEAVY))}"
    # what a command's help page does not need either: logging (set up only when a command runs; a group's
    # callback, which runs before its subcommand's help, sets it up), shutil (click's help width, found without it)
    slow = {"logging", "shutil", "zlib", "bz2", "lzma"} & modules - ({"logging"} if len(path) > 1 else set())
    assert not slow, f"'flowkit {' '.join(path)} --help' imported {sorted(slow)}"


FULL_PROBE = PROBE.replace("m.split('.')[0] for m in sys.modules", "m for m in sys.modules")
START_UP = ("hashlib", "importlib.resources", "tempfile", "lxml", "rich", "httpx")


def test_a_rules_dry_run_starts_without_the_slow_imports(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\nname = "big"\nhold = "Review"\nwhen.any_line_quantity = "> 4"\n', encoding="utf-8")
    cmd = [
        sys.executable,
        "-c",
        FULL_PROBE,
        "--state",
        str(tmp_path / "state.db"),
        "apply-rules",
        "--rules",
        str(rules),
        "--dry-run",
        str(ROOT / "samples" / "apply-rules" / "1203.json"),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert '"reason":"Review"' in result.stdout.replace(" ", "")
    assert not modules & set(START_UP), f"apply-rules imported {sorted(modules & set(START_UP))}"


def test_rendering_one_order_starts_without_the_slow_imports(tmp_path: Path) -> None:
    """The one-order render of bench/startup.py: no OpenSSL (hashlib), no lxml for JSON, no rich."""
    cmd = [sys.executable, "-c", FULL_PROBE, "--state", str(tmp_path / "state.db"), "render", "--format", "json"]
    result = subprocess.run([*cmd, str(ROOT / "samples" / "orders" / "1203.json")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert '"orderNumber": "1203"' in result.stdout  # a raw document in, the raw payload out
    assert not modules & set(START_UP), f"render imported {sorted(modules & set(START_UP))}"
