"""Start-up stays light: help never imports the heavy adapters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from test_cli import all_commands

HEAVY = ("lxml", "paramiko", "rich", "httpx", "jolt", "cryptography", "sqlite3")

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
