"""Benchmark ``flowkit transform --xslt`` against a bare lxml loop and an xsltproc shell loop.

Run from the repository root:  python bench/transform.py [--count 10000] [--xsltproc-docs 300]

The documents are real payloads: N order records made from samples/orders/1203.json
(order number 100000 + i) are rendered once with ``flowkit render`` (not timed).

1. flowkit: the N payload records piped through
   ``flowkit transform --xslt samples/transform/mis-jobimport.xsl`` as a
   subprocess (startup, NDJSON in and out, the safe parser, per-record flush).
2. bare lxml, in this process: for each document parse, transform, serialize
   and write, with the same compiled stylesheet and no safety checks.
3. xsltproc, one process per document in a shell loop, the way such jobs are
   often scripted (installed with apt-get when absent; skipped with a note when
   that is impossible). It runs on a subset and is compared by docs/s.
4. Large documents (run first): a 200 MB XML file is refused by the default
   size limit before it is read; the peak memory of that run is printed.
5. The Saxon engine (``--engine saxon``, when saxonche is installed): the same
   N records through the same stylesheet, interleaved with run 1, as a ratio
   to it: wall time and the peak memory (RSS) of the whole process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SHEET = ROOT / "samples" / "transform" / "mis-jobimport.xsl"
ORDER = ROOT / "samples" / "orders" / "1203.json"
FLOWKIT = [sys.executable, "-m", "flowkit"]
# flowkit runs as installed: with its bytecode cached (pip compiles it; PYTHONDONTWRITEBYTECODE would
# make every run re-compile flowkit's sources, which no installed flowkit does).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def render_records(count: int, path: Path) -> list[str]:
    """Render ``count`` copies of the sample order (numbers 100000...) into payload records at ``path``.

    Returns the XML bodies, in order, for the bare loop.
    """
    order = orjson.loads(ORDER.read_bytes())
    lines = []
    for i in range(count):
        number = str(100000 + i)
        body = {**order, "number": number, "id": f"fk-{number}"}
        meta = {"channel": order["source"]["channel"]["id"], "supplier": order["supplier"]["id"], "source": "bench"}
        lines.append(
            orjson.dumps(
                {"flowkit": "record/1", "kind": "order", "key": number, "type": "application/json", "meta": meta, "body": body}
            )
        )
    with path.open("wb") as out:
        subprocess.run([*FLOWKIT, "render", "--format", "xml"], input=b"\n".join(lines) + b"\n", stdout=out, check=True, cwd=ROOT)
    docs = []
    with path.open("rb") as records:
        for line in records:
            record = orjson.loads(line)
            assert record["kind"] == "payload", f"render wrote a {record['kind']} record: {record['body']}"
            docs.append(record["body"])
    assert len(docs) == count, f"render wrote {len(docs)} payloads, expected {count}"
    return docs


def check_outputs(path: Path, count: int, first_doc: str) -> None:
    """Every output is a payload (no error records) and the first equals the bare loop's result."""
    bodies = []
    with path.open("rb") as lines:
        for line in lines:
            record = orjson.loads(line)
            assert record["kind"] == "payload", f"flowkit wrote a {record['kind']} record: {record['body']}"
            bodies.append(record["body"])
    assert len(bodies) == count, f"flowkit wrote {len(bodies)} records, expected {count}"
    xslt = etree.XSLT(etree.parse(str(SHEET)))
    bare = bytes(xslt(etree.fromstring(first_doc.encode("utf-8")), supplier=etree.XSLT.strparam("sup-print-01")))
    assert bodies[0].encode("utf-8") == bare, "flowkit and the bare loop disagree on the first document"


def run_flowkit(records: Path, out: Path, engine: str = "libxslt", peaks: list[int] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of the whole flowkit process (startup included); its peak RSS (bytes) into ``peaks``."""
    started = time.perf_counter()
    with records.open("rb") as stdin, out.open("wb") as stdout:
        child = subprocess.Popen(
            [*FLOWKIT, "transform", "--engine", engine, "--xslt", str(SHEET), "--param-from-meta", "supplier"],
            stdin=stdin,
            stdout=stdout,
            cwd=ROOT,
            env=ENV,
        )
        peak = 0
        while True:  # the child's own high-water mark (ru_maxrss would count this process's pages it forked with)
            peak = max(peak, _high_water(child.pid))
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.02)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, f"flowkit transform --engine {engine} exited {child.returncode}"
    if peaks is not None:
        peaks.append(peak)
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def _high_water(pid: int) -> int:
    """VmHWM of a running process, in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            line = next((x for x in status if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    except OSError:
        return 0
    return int(line.split()[1]) * 1024


def run_lxml(docs: list[str], out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of a bare loop: parse, transform, serialize, write."""
    started, cpu = time.perf_counter(), time.process_time()
    xslt = etree.XSLT(etree.parse(str(SHEET)))
    supplier = etree.XSLT.strparam("sup-print-01")
    with out.open("wb") as stdout:
        for doc in docs:
            result = xslt(etree.fromstring(doc.encode("utf-8")), supplier=supplier)
            stdout.write(bytes(result))
    return time.perf_counter() - started, time.process_time() - cpu


def has_saxon() -> bool:
    try:
        import saxonche  # noqa: F401
    except ImportError:
        return False
    return True


def check_saxon(path: Path, count: int, libxslt_out: Path) -> None:
    """Every Saxon output is a payload, and the first says what libxslt's says (Saxon indents differently)."""
    with path.open("rb") as lines:
        bodies = [orjson.loads(line) for line in lines]
    assert len(bodies) == count and all(b["kind"] == "payload" for b in bodies), "saxon wrote errors or too few records"
    with libxslt_out.open("rb") as lines:
        first = orjson.loads(lines.readline())["body"]
    flat = etree.XMLParser(remove_blank_text=True)

    def canonical(text: str) -> bytes:
        return etree.tostring(etree.fromstring(text.encode("utf-8"), flat), method="c14n")

    assert canonical(bodies[0]["body"]) == canonical(first), "saxon and libxslt disagree on the first document"


def saxon_rows(args: argparse.Namespace, folder: Path, flow: list[tuple[float, float]], flow_peaks: list[int]) -> None:
    """The --engine saxon run against the libxslt run of the same records, as ratios."""
    if not has_saxon():
        print("saxon engine: saxonche not installed (pip install 'flowkit-orders[saxon]'); comparison skipped")
        return
    run_flowkit(folder / "warm.ndjson", folder / "warm.out", "saxon")
    saxon, peaks = [(9e9, 9e9)], []
    for _ in range(args.rounds):
        saxon.append(run_flowkit(folder / "in.ndjson", folder / "saxon.out", "saxon", peaks))
        flow.append(run_flowkit(folder / "in.ndjson", folder / "flowkit.out", "libxslt", flow_peaks))  # interleaved
    check_saxon(folder / "saxon.out", args.count, folder / "flowkit.out")
    (sax_wall, sax_cpu), (flow_wall, _) = [(min(w for w, _ in r), min(c for _, c in r)) for r in (saxon, flow)]
    sax_peak, flow_peak = min(peaks), min(flow_peaks)
    print(f"flowkit saxon  : wall {sax_wall:6.2f} s  cpu {sax_cpu:6.2f} s  {args.count / sax_wall:6.0f} docs/s")
    print(f"peak RSS       : libxslt {flow_peak / 2**20:5.0f} MiB  saxon {sax_peak / 2**20:5.0f} MiB")
    print(f"saxon / libxslt: {sax_wall / flow_wall:.1f}x the wall time, {sax_peak / flow_peak:.1f}x the peak memory")
    print(f"RATIO transform-saxon-time sample {sax_wall / flow_wall:.2f} 6")
    print(f"RATIO transform-saxon-memory sample {sax_peak / flow_peak:.2f} 8")


def ensure_xsltproc() -> str | None:
    found = shutil.which("xsltproc")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "xsltproc"], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    return shutil.which("xsltproc")


def run_xsltproc(xsltproc: str, docs: list[str], folder: Path) -> float:
    for i, doc in enumerate(docs):
        (folder / f"{i}.xml").write_text(doc, encoding="utf-8")
    script = f'for f in "{folder}"/*.xml; do "{xsltproc}" --stringparam supplier sup-print-01 "{SHEET}" "$f" > "$f.out"; done'
    started = time.perf_counter()
    subprocess.run(["sh", "-c", script], check=True)
    return time.perf_counter() - started


def large_document(folder: Path, size_mb: int) -> None:
    big = folder / "big.xml"
    rendered = subprocess.run([*FLOWKIT, "render", "--format", "xml", str(ORDER)], capture_output=True, check=True, cwd=ROOT)
    order = rendered.stdout.decode("utf-8").split("\n", 1)[1]  # without the XML declaration
    line = order.split("<OrderLines>", 1)[1].split("</OrderLines>", 1)[0]
    with big.open("w", encoding="utf-8") as out:
        out.write(order.split("<OrderLines>", 1)[0] + "<OrderLines>")
        while out.tell() < size_mb * 1024 * 1024:
            out.write(line * 200)
        out.write("</OrderLines></Order>\n")
    size = big.stat().st_size
    child = subprocess.Popen(
        [*FLOWKIT, "transform", "--xslt", str(SHEET), str(big)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert child.stderr is not None
    message = child.stderr.read().decode().strip()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss * 1024
    print(f"large document: {size / 1e6:.0f} MB -> exit {child.returncode}: {message}")
    print(f"  peak RSS of that run: {peak / 2**20:.0f} MiB ({peak / size:.2f}x the document size)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--xsltproc-docs", type=int, default=300)
    parser.add_argument("--large-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        large_document(Path(tmp), args.large_mb)  # first, while this process is small (fork shares its pages)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        docs = render_records(args.count, folder / "in.ndjson")
        run_lxml(docs[:200], folder / "warm.out")
        with (folder / "in.ndjson").open("rb") as records:  # warm-up: caches flowkit's bytecode
            (folder / "warm.ndjson").write_bytes(b"".join(line for _, line in zip(range(200), records, strict=False)))
        run_flowkit(folder / "warm.ndjson", folder / "warm.out")
        bare, flow, flow_peaks = [(9e9, 9e9)], [(9e9, 9e9)], []
        for _ in range(args.rounds):  # interleaved, best of each: the box may be shared
            bare.append(run_lxml(docs, folder / "lxml.out"))
            flow.append(run_flowkit(folder / "in.ndjson", folder / "flowkit.out", peaks=flow_peaks))
        check_outputs(folder / "flowkit.out", args.count, docs[0])
        (bare_wall, bare_cpu), (flow_wall, flow_cpu) = [(min(w for w, _ in r), min(c for _, c in r)) for r in (bare, flow)]
        size = sum(map(len, docs)) // len(docs)
        print(f"{args.count} docs, {size} bytes each (rendered), stylesheet {SHEET.name}, best of {args.rounds}")
        print(f"bare lxml loop : wall {bare_wall:6.2f} s  cpu {bare_cpu:6.2f} s  {args.count / bare_wall:6.0f} docs/s")
        print(f"flowkit        : wall {flow_wall:6.2f} s  cpu {flow_cpu:6.2f} s  {args.count / flow_wall:6.0f} docs/s")
        print(
            f"flowkit / bare lxml: {bare_wall / flow_wall:.0%} by wall time, {bare_cpu / flow_cpu:.0%} by CPU time (bar: >= 85%)"
        )
        saxon_rows(args, folder, flow, flow_peaks)
        flow = flow_wall
        xsltproc = ensure_xsltproc()
        if xsltproc is None:
            print("xsltproc: not installed and cannot be installed here; comparison skipped")
        else:
            (folder / "xp").mkdir()
            shell = run_xsltproc(xsltproc, docs[: args.xsltproc_docs], folder / "xp")
            rate = args.xsltproc_docs / shell
            print(
                f"xsltproc loop  : {shell:6.2f} s for {args.xsltproc_docs} docs  {rate:8.0f} docs/s  "
                f"-> flowkit is {args.count / flow / rate:.1f}x faster (bar: >= 10x)"
            )


if __name__ == "__main__":
    main()
