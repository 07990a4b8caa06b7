"""Run every benchmark in bench/ with its default sizes, then print one table of ratios.

Each script measures flowkit against a bare baseline in the same run, on the
small sample orders and on realistic print orders (5-50 lines, bench/_data.py),
prints its own figures, and ends with machine-readable lines:

    RATIO <stage> <set> <flowkit/baseline time> <bar>      (lower is better)
    FIGURE <name> <set> <value> <unit> [<bar>]             (a size or a rate; at most the bar)
    SPEEDUP <name> <set> <value> <bar>                     (a rate over another's; at least the bar)

This collects those lines into one table and exits non-zero if any script
failed or any figure missed its bar. Some scripts take minutes on a 2-core machine;
push_stock_pg and scale_out start a PostgreSQL cluster (the distribution's binaries).

    .venv/bin/python bench/run_all.py [NAME ...]    # e.g. startup render
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def _row(line: str, script: str) -> tuple[str, str, str, str, str, bool] | None:
    """(script, name, set, value, bar, met) of one RATIO/FIGURE/SPEEDUP line, or None for other lines."""
    parts = line.split()
    if len(parts) >= 5 and parts[0] == "RATIO":
        _, name, kind, value, bar = parts[:5]
        return script, name, kind, f"{float(value):.2f}x", f"<= {bar}", float(value) <= float(bar)
    if len(parts) >= 5 and parts[0] == "FIGURE":
        _, name, kind, value, unit = parts[:5]
        bar = parts[5] if len(parts) > 5 else ""
        met = not bar or float(value) <= float(bar)
        return script, name, kind, f"{float(value):,.0f} {unit}", f"<= {bar}" if bar else "", met
    if len(parts) >= 5 and parts[0] == "SPEEDUP":
        _, name, kind, value, bar = parts[:5]
        return script, name, kind, f"{float(value):.2f}x", f">= {bar}", float(value) >= float(bar)
    return None


def main(names: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py" and not p.name.startswith("_"))
    if names:
        scripts = [p for p in scripts if p.stem in names]
    failed: list[str] = []
    rows: list[tuple[str, str, str, str, str, bool]] = []
    for script in scripts:
        print(f"\n=== {script.stem}", flush=True)
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, str(script)], cwd=HERE.parent, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
            row = _row(line, script.stem)
            if row:
                rows.append(row)
        code = child.wait()
        print(f"=== {script.stem}: exit {code} in {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(script.stem)
    if rows:
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        header = ("bench", "figure", "set", "value", "bar")
        widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
        print()
        print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  met")
        for row in rows:
            cells = "  ".join(c.ljust(w) for c, w in zip(row[:5], widths, strict=True))
            print(f"{cells}  {'yes' if row[5] else 'NO'}")
    print("\nall bars met" if not failed else f"\nmissed or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
