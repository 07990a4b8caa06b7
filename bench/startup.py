"""Start-up: median wall time of `flowkit --help` against `python -c "import click"`.

Both run in this interpreter's environment, interleaved, in the same run, so
the ratio holds on any machine; untimed warm-up runs first (and write
flowkit's bytecode, as an installed package has it). The bar (issue 2): ratio <= 1.3.

    .venv/bin/python bench/startup.py [--runs 40]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Installed packages carry compiled bytecode; an editable checkout run with
# PYTHONDONTWRITEBYTECODE=1 would recompile flowkit's sources on every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--max-ratio", type=float, default=1.3)
    args = parser.parse_args()
    script = shutil.which("flowkit", path=str(Path(sys.executable).parent)) or "flowkit"
    commands = {
        "import click": [sys.executable, "-c", "import click"],
        "flowkit --help": [script, "--help"],
        "flowkit render --help": [script, "render", "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for name, cmd in commands.items():  # warm the page cache
        timed(cmd) if name != "flowkit render --help" or _has(script, "render") else None
    for _ in range(args.runs):
        for name, cmd in commands.items():
            if name == "flowkit render --help" and not _has(script, "render"):
                continue
            times[name].append(timed(cmd))
    base = statistics.median(times["import click"])
    print(f"{'command':24} {'median ms':>10} {'ratio':>7}")
    for name, values in times.items():
        if values:
            median = statistics.median(values)
            print(f"{name:24} {median * 1000:10.1f} {median / base:7.2f}")
    ratio = statistics.median(times["flowkit --help"]) / base
    verdict = "ok" if ratio <= args.max_ratio else "OVER BUDGET"
    print(f"flowkit --help / import click = {ratio:.2f} (bar {args.max_ratio}): {verdict}")
    return 0 if ratio <= args.max_ratio else 1


_known: dict[str, bool] = {}


def _has(script: str, name: str) -> bool:
    if name not in _known:
        result = subprocess.run([script, name, "--help"], capture_output=True)
        _known[name] = result.returncode == 0
    return _known[name]


if __name__ == "__main__":
    sys.exit(main())
