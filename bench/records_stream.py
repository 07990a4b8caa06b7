"""Record stream: a million small records through Reader -> pipeline.run -> Writer.

Memory must stay flat: peak RSS for 1,000,000 records is compared with the
peak for 100,000 (and with a bare `python -c 'import orjson, click'` baseline),
each in its own child process. Prints records/s and peak RSS.

    .venv/bin/python bench/records_stream.py [--records 1000000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import sys
from flowkit.pipeline import run
from flowkit.records import Reader, Writer, derive
reader = Reader([sys.argv[1]])
with open(sys.argv[2], "wb") as out:
    tally = run(reader, Writer(out, pretty=False), lambda r: [derive(r, "payload", r["body"])],
                consumes={"order"}, command="bench")
print(tally.ok)
"""


def make_input(path: str, count: int) -> None:
    line = (
        '{"flowkit":"record/1","kind":"order","key":"%d","type":"application/json","meta":{"channel":"web"},'
        '"body":{"number":"%d","sku":"FLY-A5","qty":%d}}\n'
    )
    with open(path, "w") as fh:
        for i in range(count):
            fh.write(line % (i, i, i % 50))


def child(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, big, out = (os.path.join(tmp, n) for n in ("small.ndjson", "big.ndjson", "out.ndjson"))
        make_input(small, args.records // 10)
        make_input(big, args.records)
        # ru_maxrss of RUSAGE_CHILDREN is the max over children so far: run smallest first.
        _, base_rss = child([sys.executable, "-c", "import orjson, click"])
        small_s, small_rss = child([sys.executable, "-c", CHILD, small, out])
        big_s, big_rss = child([sys.executable, "-c", CHILD, big, out])
        size_mb = os.path.getsize(big) / 1e6
    print(f"baseline (python + orjson + click): peak RSS {base_rss:.1f} MiB")
    print(f"{args.records // 10:>9,} records: {small_s:6.2f} s, peak RSS {small_rss:.1f} MiB")
    print(
        f"{args.records:>9,} records: {big_s:6.2f} s ({args.records / big_s:,.0f} records/s, "
        f"{size_mb:.0f} MB in), peak RSS {big_rss:.1f} MiB"
    )
    growth = big_rss - small_rss
    flat = growth < 10
    print(f"RSS growth for 10x the records: {growth:+.1f} MiB: {'flat' if flat else 'NOT FLAT'}")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
