"""Start-up: every command's ``--help`` and a one-order ``render`` against ``python -c "import click"``.

Each contender is a fresh process of this interpreter's environment, run
interleaved with the baseline in the same run (so load hits both alike),
median of N; untimed warm-up runs first (and write flowkit's bytecode, as an
installed package has it). No config applies: the processes run in an empty
folder with ``XDG_CONFIG_HOME`` pointing at it. The one-order render reads one
order document of each set (``small``: a sample order; ``realistic``: a
27-line print order of bench/_data.py) and writes its XML payload.
The bar (issue 22): each ratio <= 1.3.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/startup.py [--runs 25]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import orders

COMMANDS = (
    "query-orders",
    "apply-rules",
    "render",
    "transform",
    "deliver",
    "push-stock",
    "import-shipment",
    "state",
    "config",
)
BAR = 1.3


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU user+sys) seconds of one run; CPU time holds up better on a machine others load too."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime


def contenders(script: str, work: Path) -> dict[str, list[str]]:
    """Name -> command line; 'import click' is the baseline."""
    small = next(orders(1, "small"))
    realistic = next(o for o in orders(40, "realistic") if len(o["lines"]) >= 25)
    for kind, order in (("small", small), ("realistic", realistic)):
        (work / f"{kind}.json").write_text(json.dumps(order), encoding="utf-8")
    out: dict[str, list[str]] = {"import click": [sys.executable, "-c", "import click"]}
    out["flowkit --help"] = [script, "--help"]
    for name in COMMANDS:
        out[f"flowkit {name} --help"] = [script, name, "--help"]
    for kind in ("small", "realistic"):
        out[f"render one order ({kind})"] = [script, "render", str(work / f"{kind}.json")]
    return out


def figure_name(name: str) -> tuple[str, str]:
    """(stage, set) of the RATIO line of a contender."""
    if name.startswith("render one order"):
        return "startup-render-one-order", name.split("(")[1].rstrip(")")
    words = name.split()
    return ("startup-help" if len(words) == 2 else f"startup-{words[1]}-help"), "all"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--max-ratio", type=float, default=BAR)
    args = parser.parse_args()
    script = shutil.which("flowkit", path=str(Path(sys.executable).parent)) or "flowkit"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # Installed packages carry compiled bytecode; an editable checkout run with
        # PYTHONDONTWRITEBYTECODE=1 would recompile flowkit's sources on every start.
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "FLOWKIT_CONFIG")}
        env["XDG_CONFIG_HOME"] = str(work)
        commands = contenders(script, work)
        for cmd in commands.values():  # warm-up: page cache and bytecode
            timed(cmd, env, work)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                wall, cpu = timed(cmd, env, work)
                walls[name].append(wall)
                cpus[name].append(cpu)
    base_wall, base_cpu = statistics.median(walls["import click"]), statistics.median(cpus["import click"])
    print(f"runs: {args.runs} interleaved, median; load average {os.getloadavg()[0]:.2f}; ratio by CPU time")
    print(f"{'command':36} {'wall ms':>8} {'ratio':>6} {'CPU ms':>8} {'ratio':>6}")
    ratios: dict[str, float] = {}
    for name in commands:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        ratios[name] = cpu / base_cpu
        print(f"{name:36} {wall * 1000:8.1f} {wall / base_wall:6.2f} {cpu * 1000:8.1f} {ratios[name]:6.2f}")
    missed = [name for name, ratio in ratios.items() if ratio > args.max_ratio]
    for name, ratio in ratios.items():
        if name != "import click":
            stage, kind = figure_name(name)
            print(f"RATIO {stage} {kind} {ratio:.2f} {args.max_ratio}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
