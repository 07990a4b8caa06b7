"""Run every benchmark in bench/ with its default sizes, one after the other.

Each script measures flowkit against a baseline in the same run and prints
its figures and ratio; this prints them all and exits non-zero if any failed
or missed its bar. Some take minutes on a 2-core machine.

    .venv/bin/python bench/run_all.py [NAME ...]    # e.g. startup records_stream
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(names: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py" and not p.name.startswith("_"))
    if names:
        scripts = [p for p in scripts if p.stem in names]
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"=== {script.stem}: exit {code} in {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(script.stem)
    print("\nall bars met" if not failed else f"\nmissed or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
