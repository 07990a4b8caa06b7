"""Benchmark deliver: SFTP against OpenSSH's ``sftp -b``, and the ledger's cost on a hotfolder.

1. 1,000 small files to a loopback OpenSSH sshd (started here, as in the test
   suite): ``flowkit deliver --to sftp://…`` (one connection, temp name, size
   check, posix-rename, ledger) against ``sftp -b`` uploading the same files to
   the same server over one connection. Bar: ratio <= 1.3.
2. The same 1,000 records into a hotfolder through deliver's own loop (ledger:
   intent and outcome transactions per window, kept bodies, result records)
   against the same records read, written (.part, fsync, rename) and
   answered with result records without the ledger, the two sides
   alternating which goes first (see ``hotfolder_pair``). Bar: overhead <= 10%.

Usage: python bench/deliver.py [--files N] [--repeat R] [--only sftp|hotfolder]
Needs /usr/sbin/sshd and sftp (scripts/test-servers.sh installs them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from servers import sshd

from flowkit import pipeline
from flowkit.deliver.core import CONSUMES, Deliverer
from flowkit.deliver.run import Staging
from flowkit.pipeline import Tally
from flowkit.records import BadLine, Reader, Record, Writer, body_bytes, derive, make_record
from flowkit.store import Store
from flowkit.transports import names
from flowkit.transports.hotfolder import Hotfolder


def make_records(n: int) -> list[dict[str, object]]:
    return [
        make_record(
            "payload",
            f"B{i:05d}",
            f'<order number="B{i:05d}"><total>{i}.50</total></order>',
            type="application/xml",
            meta={"channel": "web", "format": "xml"},
        )
        for i in range(n)
    ]


def write_inputs(work: Path, records: list[dict[str, object]]) -> tuple[Path, Path]:
    import orjson

    files = work / "files"
    files.mkdir()
    with (work / "batch.ndjson").open("wb") as out:
        for record in records:
            out.write(orjson.dumps(record) + b"\n")
            (files / f"{record['key']}.xml").write_bytes(body_bytes(record))
    return work / "batch.ndjson", files


def sftp_baseline(server: sshd.Sshd, files: Path, remote: Path) -> float:
    remote.mkdir()
    batch = files.parent / "sftp.batch"
    batch.write_text(f"cd {remote}\n" + "".join(f"put {p} {p.name}\n" for p in sorted(files.iterdir())))
    cmd = [
        "sftp",
        "-q",
        "-b",
        str(batch),
        "-i",
        str(server.client_key),
        "-P",
        str(server.port),
        "-o",
        f"UserKnownHostsFile={server.known_hosts}",
        "-o",
        "StrictHostKeyChecking=yes",
        f"{server.user}@127.0.0.1",
    ]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def sftp_flowkit(server: sshd.Sshd, batch: Path, remote: Path, state: Path) -> float:
    remote.mkdir()
    url = server.url(str(remote.relative_to(server.home)))
    cmd = [
        sys.executable,
        "-m",
        "flowkit",
        "--state",
        str(state),
        "-q",
        "deliver",
        "--to",
        url,
        "--name",
        "{key}.xml",
        str(batch),
    ]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def hotfolder_pair(batch: Path, work: Path, run: int) -> tuple[float, float]:
    """The same records into a hotfolder without and with the ledger, window by window in lockstep.

    Both sides read the records from the batch file, send them in windows of
    the same size (.part, fsync, size check, rename) and write one result
    record per input, so the difference is the ledger alone. Without it: file
    names from the same template, ``Hotfolder.put_many``, a result record per
    receipt. With it: one window through ``flowkit deliver``'s own loop
    (``pipeline.run`` with deliver's ``Staging`` window: plan, intents
    committed, sent, outcomes committed, result records written), on a fresh
    state store. The sides
    take turns window by window, alternating which goes first: an fsync on a
    shared virtual disk varies several-fold from one second to the next, and
    whole-run alternation left per-run overheads anywhere from -12% to +50%.
    Each total includes its open and its close (directory fsync).
    """
    plain = Hotfolder(work / f"plain{run}")
    store = Store(work / f"hot{run}.db")
    deliverer = Deliverer(store, f"file://{work}/ledger{run}/", Hotfolder(work / f"ledger{run}"), template=lambda r: "{key}.xml")
    size = deliverer.window
    sink = open(os.devnull, "wb")  # noqa: SIM115 - closed below
    plain_writer, ledger_writer, tally = Writer(sink), Writer(sink), Tally()
    opened: list[bool] = []

    def plain_window(chunk: list[Record]) -> None:
        if not opened:
            plain.open()
            opened.append(True)
        receipts = plain.put_many([(names.choose(r, "{key}.xml"), body_bytes(r), r) for r in chunk])
        plain_writer.put(
            [
                plain_writer.encode(
                    derive(r, "result", {"key": r["key"], "status": "delivered", "remote_ref": getattr(x, "remote_ref", None)})
                )
                for r, x in zip(chunk, receipts, strict=True)
            ]
        )

    staging = Staging(deliverer)

    def ledger_window(chunk: list[Record]) -> None:
        deliverer.ensure_open()
        pipeline.run(
            Chunk(chunk), ledger_writer, staging.process, consumes=CONSUMES, command="deliver", window=staging, tally=tally
        )

    def windows() -> Iterator[list[Record]]:
        chunk: list[Record] = []
        for item in Reader([str(batch)]):
            if not isinstance(item, BadLine):
                chunk.append(item)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    totals = [0.0, 0.0]
    for step, (mine, theirs) in enumerate(zip(windows(), windows(), strict=True)):
        sides = [(0, plain_window, mine), (1, ledger_window, theirs)]
        for side, send, chunk in sides if (run + step) % 2 == 0 else sides[::-1]:
            started = time.perf_counter()
            send(chunk)
            totals[side] += time.perf_counter() - started
    for side, close in ((0, plain.close), (1, deliverer.close)):
        started = time.perf_counter()
        close()
        totals[side] += time.perf_counter() - started
    sink.close()
    store.close()
    assert deliverer.counts["delivered"] == tally.ok and not tally.failed
    return totals[0], totals[1]


class Chunk:
    """One window's records as ``pipeline.run``'s input (always ready: the window closes at its end)."""

    mode = "record"

    def __init__(self, records: list[Record]) -> None:
        self.records = records

    def __iter__(self) -> Iterator[Record | BadLine]:
        return iter(self.records)

    def ready(self) -> bool:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("sftp", "hotfolder"), help="run one of the two comparisons")
    parser.add_argument("--dir", default=None, help="where files, server home and state live (default: $TMPDIR)")
    args = parser.parse_args()
    if not sshd.available() or not shutil.which("sftp"):
        sys.exit("bench/deliver.py: needs /usr/sbin/sshd and sftp (run scripts/test-servers.sh)")
    work = Path(tempfile.mkdtemp(prefix="flowkit-bench-", dir=args.dir))
    records = make_records(args.files)
    batch, files = write_inputs(work, records)
    server = sshd.start(work / "sshd")
    try:
        base, ours = [], []
        for i in range(args.repeat if args.only != "hotfolder" else 0):  # alternate: drift hits both alike
            base.append(sftp_baseline(server, files, server.home / f"base{i}"))
            ours.append(sftp_flowkit(server, batch, server.home / f"ours{i}", work / f"state{i}.db"))
        plain, ledger = [], []
        for i in range(args.repeat if args.only != "sftp" else 0):
            without, with_ledger = hotfolder_pair(batch, work, i)
            plain.append(without)
            ledger.append(with_ledger)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(args.files, base, ours, plain, ledger, work.parent)


def report(n: int, base: list[float], ours: list[float], plain: list[float], ledger: list[float], where: Path) -> None:
    print(f"work folder under {where}; runs alternate, figures are medians")
    if base:
        b, o = statistics.median(base), statistics.median(ours)
        print(f"  sftp -b runs:  {' '.join(f'{x:.2f}' for x in base)}")
        print(f"  flowkit runs:  {' '.join(f'{x:.2f}' for x in ours)}")
        print(f"SFTP, {n} files, one connection (median of {len(base)}):")
        print(f"  sftp -b          {b:7.3f} s")
        print(f"  flowkit deliver  {o:7.3f} s   ratio {o / b:.2f}x  (bar <= 1.30x)")
    if plain:
        p, lg = statistics.median(plain), statistics.median(ledger)
        paired = [100 * (w / wo - 1) for wo, w in zip(plain, ledger, strict=False)]
        print(f"  plain runs:    {' '.join(f'{x:.2f}' for x in plain)}")
        print(f"  ledger runs:   {' '.join(f'{x:.2f}' for x in ledger)}")
        print(f"  overheads:     {' '.join(f'{x:+.1f}%' for x in paired)}  (per run, sides alternating)")
        print(f"Hotfolder, {n} files, fsync + rename (median of {len(plain)}):")
        print(f"  without ledger   {p:7.3f} s")
        print(
            f"  with ledger      {lg:7.3f} s   overhead {statistics.median(paired):+.1f}% "
            f"(median per run; {100 * (lg / p - 1):+.1f}% on the medians)  (bar <= +10%)"
        )


if __name__ == "__main__":
    main()
