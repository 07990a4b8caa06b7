"""Benchmark: 10,000 orders through 50 rules with `flowkit apply-rules` (bar: >= 5,000 orders/s).

Baseline in the same run: a bare Python filter that parses and re-serialises
each NDJSON record with orjson (the I/O floor any filter pays). Prints
orders/s for both and the ratio. Run: python bench/apply_rules.py [N]
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
BASE = orjson.loads((ROOT / "tests" / "data" / "apply_rules" / "1203.json").read_bytes())
COUNTRIES = ["GB", "IE", "FR", "DE", "US", "NL"]
METHODS = ["standard", "express", "next-day"]
BASELINE = (
    "import sys, orjson\n"
    "out = sys.stdout.buffer\n"
    "for line in sys.stdin.buffer:\n"
    "    r = orjson.loads(line); r['meta']['seen'] = True\n"
    "    out.write(orjson.dumps(r) + b'\\n'); out.flush()\n"
)


def orders(n: int) -> bytes:
    lines = []
    for i in range(n):
        doc = copy.deepcopy(BASE)
        doc["number"] = str(100000 + i)
        doc["shipping_address"]["country_code"] = COUNTRIES[i % len(COUNTRIES)]
        doc["shipping"]["method_code"] = METHODS[i % len(METHODS)]
        doc["tags"] = ["vip"] if i % 7 == 0 else []
        doc["lines"] = [dict(doc["lines"][0], id=str(j), sku=f"SKU-{(i + j) % 40}", quantity=1 + (i * j) % 6)
                        for j in range(1 + i % 3)]
        record = {"flowkit": "record/1", "kind": "order", "key": doc["number"], "type": "application/json",
                  "meta": {"channel": "web" if i % 2 else "pos", "supplier": "acme-print", "source": "bench"},
                  "body": doc}
        lines.append(orjson.dumps(record))
    return b"\n".join(lines) + b"\n"


def rules() -> str:
    out = []
    kinds = [
        'when.any_line_quantity = "> {k}"', 'when.total_quantity = ">= {k2}"',
        'when.shipping_country_in = ["{c}"]', 'when.shipping_country_not_in = ["GB", "{c}"]',
        'when.shipping_method = "{m}"', 'when.channel = "web"', 'when.tag = "vip"',
        'when.field_matches = {{ "lines.sku" = "^SKU-{k}$" }}', 'when.note_contains = "neighbour"',
        'when.all = [{{ channel = "pos" }}, {{ not = {{ tag = "vip" }} }}]',
    ]
    for i in range(50):
        cond = kinds[i % len(kinds)].format(k=i % 6, k2=i % 12, c=COUNTRIES[i % 6], m=METHODS[i % 3])
        action = f'add_tags = ["T{i % 17}", "Group {i % 5}"]'
        if i == 5:  # holds about 1 order in 20
            cond = 'when.all = [{ shipping_country_in = ["US"] }, { field_matches = { "number" = "[05]$" } }]'
            action = 'hold = "Review"'
        elif i % 10 == 3:
            action = f'set = {{ "extra_data.rule{i}" = "yes" }}'
        elif i % 10 == 8:
            action = 'note = "checked by {rule}"'
        out.append(f'[[rules]]\nname = "rule {i}"\n{action}\n{cond}\n')
    return "\n".join(out)


def timed(cmd: list[str], data: bytes, env: dict[str, str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, input=data, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed, proc.stdout


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data = orders(n)
    with tempfile.TemporaryDirectory() as tmp:
        rules_path = Path(tmp) / "rules.toml"
        rules_path.write_text(rules(), encoding="utf-8")
        env = {**os.environ, "FLOWKIT_STATE": str(Path(tmp) / "state.db"), "HOME": tmp}
        flowkit = [sys.executable, "-m", "flowkit", "apply-rules", "--rules", str(rules_path)]
        base_s, _ = timed([sys.executable, "-c", BASELINE], data, env)
        dry_s, _ = timed([*flowkit, "--dry-run"], data, env)
        full_s, out = timed(flowkit, data, env)
    held = sum(1 for line in out.splitlines() if b'"on_hold":true' in line)
    print(f"{n} orders, 50 rules ({held} held and recorded in the state store)")
    print(f"baseline (orjson parse+write): {base_s:6.2f} s  {n / base_s:9.0f} orders/s")
    print(f"apply-rules --dry-run:         {dry_s:6.2f} s  {n / dry_s:9.0f} orders/s  ratio {dry_s / base_s:.2f}x")
    print(f"apply-rules (holds recorded):  {full_s:6.2f} s  {n / full_s:9.0f} orders/s  ratio {full_s / base_s:.2f}x")
    verdict = "PASS" if n / full_s >= 5000 else "FAIL"
    print(f"bar >= 5,000 orders/s: {verdict}")


if __name__ == "__main__":
    main()
