"""Benchmark: ``flowkit render`` (JSON and XML) against bare scripts, same run, same input, both order sets.

For each set of bench/_data.py (``small`` samples, ``realistic`` print orders of
5-50 lines) it writes N order records, then times, each as a fresh process
reading the same NDJSON file and writing payload records:

- ``flowkit render --format json`` against a bare script building the same
  JSON as a dict and writing it with orjson (bench/_bare_render.py json);
- ``flowkit render`` (XML) against a bare script building the same XML with
  lxml (bench/_bare_render.py xml);
- both flowkit runs again on the same records carrying the validation stamp
  (``flowkit.model.stamp``, as a validating upstream flowkit command would
  write them; none does yet): the stamp is checked on the body's bytes as
  read, and the order is neither validated nor screened for the record
  limits again.

Held orders are rendered too (``--include-held``), as the baselines do. It
checks the baselines' payloads equal flowkit's for the first orders, and prints
the median CPU time (user+sys, robust on a machine others load) of
interleaved rounds. Bars (issue 22): JSON <= 1.5x its baseline, XML <= 1.0x.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/render.py [--small 4000] [--realistic 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _data import SETS, write_records

BARS = {"json": 1.5, "xml": 1.0}


def stamped_copy(src: Path, dst: Path) -> bool:
    """``src``'s records stamped valid (when this flowkit has stamps): what a validating query-orders writes."""
    try:
        from flowkit import model

        stamp = model.stamp
    except (ImportError, AttributeError):
        return False
    with src.open("rb") as inp, dst.open("wb") as out:
        for line in inp:
            record = orjson.loads(line)
            model.check(record["body"], record["key"])
            stamp(record["meta"], record["body"])
            out.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
    return True


def timed(cmd: list[str], src: Path, dst: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["FLOWKIT_CONFIG"] = os.devnull
    with src.open("rb") as stdin, dst.open("wb") as stdout:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {code}")
    return wall, usage.ru_utime + usage.ru_stime


def same_payloads(ours: Path, theirs: Path, fmt: str, count: int = 50) -> bool:
    from lxml import etree

    def canonical(line: bytes) -> object:
        body = orjson.loads(line)["body"]
        return etree.tostring(etree.fromstring(body.encode()), method="c14n") if fmt == "xml" else body

    with ours.open("rb") as a, theirs.open("rb") as b:
        pairs = list(zip(range(count), a, b, strict=False))
    return bool(pairs) and all(canonical(x) == canonical(y) for _, x, y in pairs)


def contenders(stamped: bool) -> dict[str, tuple[list[str], bool]]:
    """name -> (command, reads the stamped input)."""
    flowkit = [sys.executable, "-m", "flowkit", "render", "--include-held"]
    bare = [sys.executable, str(HERE / "_bare_render.py")]
    out = {
        "flowkit json": ([*flowkit, "--format", "json"], False),
        "bare json": ([*bare, "json"], False),
        "flowkit xml": (flowkit, False),
        "bare xml": ([*bare, "xml"], False),
    }
    if stamped:
        out["flowkit json stamped"] = ([*flowkit, "--format", "json"], True)
        out["flowkit xml stamped"] = (flowkit, True)
    return out


def run_set(kind: str, count: int, repeat: int, work: Path) -> dict[str, float]:
    """Ratios of one order set, after printing its table."""
    src, signed = work / f"{kind}.ndjson", work / f"{kind}-stamped.ndjson"
    size = write_records(src, count, kind)
    stamped = stamped_copy(src, signed)
    runs = contenders(stamped)
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    wall: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):  # interleaved, so background load hits every contender alike
        for name, (cmd, uses_stamp) in runs.items():
            w, c = timed(cmd, signed if uses_stamp else src, work / f"{kind}-{name.replace(' ', '-')}.out")
            wall[name].append(w)
            cpu[name].append(c)
    print(f"\n{kind}: {count} orders, {size / count / 1024:.1f} KiB each, median of {repeat} interleaved rounds")
    print(f"  {'':22s} {'wall s':>8s} {'CPU s':>8s} {'orders/CPU-s':>13s}")
    med = {name: statistics.median(values) for name, values in cpu.items()}
    for name in runs:
        print(f"  {name:22s} {statistics.median(wall[name]):8.2f} {med[name]:8.2f} {count / med[name]:13,.0f}")
    ratios: dict[str, float] = {}
    for fmt in ("json", "xml"):
        same = same_payloads(work / f"{kind}-flowkit-{fmt}.out", work / f"{kind}-bare-{fmt}.out", fmt)
        print(f"  bare {fmt} payloads equal flowkit's (first 50): {same}")
        if not same:
            raise SystemExit(f"the bare {fmt} baseline no longer writes flowkit's payloads: fix bench/_bare_render.py")
        ratios[f"render-{fmt}"] = med[f"flowkit {fmt}"] / med[f"bare {fmt}"]
        if stamped:
            ratios[f"render-{fmt}-stamped"] = med[f"flowkit {fmt} stamped"] / med[f"bare {fmt}"]
    return ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", type=int, default=4000, help="orders of the small set")
    parser.add_argument("--realistic", type=int, default=1000, help="orders of the realistic set")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds (median)")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}; ratio = flowkit / bare by CPU time")
    lines: list[str] = []
    missed = False
    with tempfile.TemporaryDirectory() as tmp:
        for kind in SETS:
            for stage, ratio in run_set(kind, getattr(args, kind), args.repeat, Path(tmp)).items():
                bar = BARS[stage.split("-")[1]]
                missed |= ratio > bar
                lines.append(f"RATIO {stage} {kind} {ratio:.2f} {bar}")
    print()
    print("\n".join(lines))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
