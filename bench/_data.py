"""Order sets the benchmarks share: the small samples and realistic print orders.

- ``small``: the orders of ``samples/orders`` as they are (1-2 lines, 4-9 KB).
- ``realistic``: print orders of 5 to 50 lines (27 on average, about 34 KB),
  built from the same samples: each line is a sample line with its own id,
  line number, SKU, quantity, job reference and asset URLs, so no two lines of
  an order are the same text. Deterministic for a given seed.
- ``varied`` (not in ``SETS``; asked for by name): the realistic orders with
  their free texts made random words from a vocabulary of 20,000: the
  customer's and addresses' (names, company, city, street lines, notes) new
  for each order, a line's (product name, option values, summary) drawn for
  its SKU, so the same product reads the same in every order, as from a
  catalogue of a few thousand products. For what depends on how alike orders
  are (the store's compression dictionaries: bench/store_size.py --sets varied).

    from _data import orders, order_records, write_order_files
    for order in orders(1000, "realistic"): ...

``python bench/_data.py [N]`` prints the sizes of both sets.
"""

from __future__ import annotations

import copy
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "orders"
SETS = ("small", "realistic")
VARIED = "varied"
_FREE_TEXT = frozenset(
    {"name", "company", "city", "first_name", "last_name", "lines", "attribute_summary", "instructions", "value", "GiftNote"}
)
MIN_LINES, MAX_LINES = 5, 50


def _samples() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.json"))]


def _line(template: dict[str, Any], number: int, order: str, rng: random.Random) -> dict[str, Any]:
    line = copy.deepcopy(template)
    job = f"J-{order}-{number:02d}"
    line["id"] = str(number)
    line["line_number"] = number
    line["sku"] = f"{template['sku']}-{rng.randrange(400):03d}"
    line["quantity"] = rng.choice((1, 10, 50, 100, 250, 500, 1000))
    for ref in line.get("external_refs") or {}:
        line["external_refs"][ref] = job
    for asset in line.get("assets") or []:
        url = asset.get("url")
        if isinstance(url, str):
            asset["url"] = url.rsplit("/", 2)[0] + f"/{job}/" + url.rsplit("/", 1)[-1]
        if isinstance(asset.get("hash"), str):
            asset["hash"] = "sha256:" + f"{rng.getrandbits(256):064x}"
    for doc in line.get("documents") or []:
        if isinstance(doc.get("url"), str):
            doc["url"] = doc["url"].rsplit("/", 1)[0] + f"/{job}.pdf"
    return line


def orders(count: int, kind: str = "realistic", seed: int = 7) -> Iterator[dict[str, Any]]:
    """``count`` canonical orders of the set ``kind`` with numbers B0000000, B0000001, ..."""
    if kind not in (*SETS, VARIED):
        raise ValueError(f"unknown order set {kind!r}; one of {', '.join((*SETS, VARIED))}")
    if kind == VARIED:
        words = random.Random(seed + 1)
        vocabulary = ["".join(words.choices("abcdefghijklmnopqrstuvwxyz", k=words.randint(3, 9))) for _ in range(20000)]
        for order in orders(count, "realistic", seed):
            lines = order.pop("lines")
            order = _varied(order, vocabulary, words)
            order["lines"] = [_varied(line, vocabulary, random.Random(line["sku"])) for line in lines]
            yield order
        return
    rng = random.Random(seed)
    samples = _samples()
    for index in range(count):
        base = samples[index % len(samples)]
        order = copy.deepcopy(base) if kind == "small" else {k: v for k, v in base.items() if k != "lines"}
        number = f"B{index:07d}"
        order["number"] = number
        order["id"] = f"fk-{number}"
        if kind == "realistic":
            pool = [line for sample in samples for line in sample["lines"]]
            count_lines = rng.randint(MIN_LINES, MAX_LINES)
            order["lines"] = [_line(rng.choice(pool), n, number, rng) for n in range(1, count_lines + 1)]
            order = copy.deepcopy(order)
        yield order


def _varied(value: Any, vocabulary: list[str], rng: random.Random, key: str = "") -> Any:
    """``value`` with the strings under free-text keys made random words (as many as they had).

    An attribute keeps its name (Paper, Finish: a shop has a few): only its value is made words."""
    if isinstance(value, dict):
        named = "value" in value and "name" in value and key == "attributes"
        return {k: v if named and k == "name" else _varied(v, vocabulary, rng, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_varied(v, vocabulary, rng, key) for v in value]
    if isinstance(value, str) and key in _FREE_TEXT and value:
        return " ".join(rng.choice(vocabulary) for _ in value.split()).title()
    return value


def order_records(count: int, kind: str = "realistic", seed: int = 7) -> Iterator[dict[str, Any]]:
    """The same orders as flowkit ``order`` records (what query-orders writes)."""
    for order in orders(count, kind, seed):
        channel = order.get("source", {}).get("channel", {}).get("id")
        yield {
            "flowkit": "record/1",
            "kind": "order",
            "key": order["number"],
            "type": "application/json",
            "meta": {"source": "bench", "channel": channel, "supplier": (order.get("supplier") or {}).get("id")},
            "body": order,
        }


def write_order_files(folder: Path, count: int, kind: str = "realistic", seed: int = 7) -> int:
    """One ``NUMBER.json`` file per order in ``folder`` (a ``dir`` source); returns the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for order in orders(count, kind, seed):
        data = json.dumps(order).encode()
        (folder / f"{order['number']}.json").write_bytes(data)
        total += len(data)
    return total


def write_records(path: Path, count: int, kind: str = "realistic", seed: int = 7) -> int:
    """The order records as NDJSON in ``path``; returns the bytes written."""
    total = 0
    with path.open("wb") as out:
        for record in order_records(count, kind, seed):
            data = json.dumps(record).encode() + b"\n"
            out.write(data)
            total += len(data)
    return total


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    for kind in SETS:
        sizes = [len(json.dumps(o)) for o in orders(count, kind)]
        lines = [len(o["lines"]) for o in orders(count, kind)]
        print(
            f"{kind:10} {count} orders: lines {min(lines)}-{max(lines)} (mean {sum(lines) / count:.1f}), "
            f"bytes {min(sizes):,}-{max(sizes):,} (mean {sum(sizes) / count / 1024:.1f} KiB)"
        )


if __name__ == "__main__":
    main()
