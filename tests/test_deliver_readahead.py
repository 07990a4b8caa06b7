"""deliver's input read ahead on a worker thread (deliver/readahead.py): the same items, errors in place, stops cleanly."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest

from flowkit.deliver.readahead import ReadAhead
from flowkit.errors import InputError
from flowkit.records import BadLine, Reader


def lines(path: Path, keys: range, bad_at: int | None = None) -> Path:
    with path.open("wb") as out:
        for n in keys:
            if n == bad_at:
                out.write(b'{"flowkit": "record/1", "kind": \n')
                continue
            out.write(
                orjson.dumps(
                    {"flowkit": "record/1", "kind": "payload", "key": f"K{n}", "type": "application/xml", "body": "<x/>" * n}
                )
                + b"\n"
            )
    return path


def keys(items: list[object]) -> list[str]:
    return [f"bad:{item.where}" if isinstance(item, BadLine) else item["key"] for item in items]  # type: ignore[index]


def test_the_items_are_the_readers_own_in_order(tmp_path: Path) -> None:
    source = lines(tmp_path / "in.ndjson", range(300), bad_at=150)
    direct = keys(list(Reader([str(source)])))
    ahead = ReadAhead(Reader([str(source)]), 16)
    assert ahead.mode == "record"
    assert keys(list(ahead)) == direct
    assert "bad:" + str(source) + ":151" in direct and len(direct) == 300
    assert ahead.ready()


def test_a_reader_error_is_raised_after_the_items_before_it(tmp_path: Path) -> None:
    good = lines(tmp_path / "good.ndjson", range(5))
    broken = tmp_path / "broken.json"
    broken.write_text('{"not": "json"')  # a raw document that does not parse
    seen: list[str] = []
    with pytest.raises(InputError, match="broken.json"):
        for item in ReadAhead(Reader([str(good), str(broken)]), 2):
            seen.append(item["key"])  # type: ignore[index]
    assert seen == [f"K{n}" for n in range(5)]


def test_stopping_early_frees_the_worker(tmp_path: Path) -> None:
    source = lines(tmp_path / "in.ndjson", range(2000))
    ahead = ReadAhead(Reader([str(source)]), 4)
    for n, _item in enumerate(ahead):
        if n == 10:
            break
    ahead_threads = [t for t in threading.enumerate() if t.name == "deliver-read"]
    for thread in ahead_threads:
        thread.join(5)
    assert not [t for t in ahead_threads if t.is_alive()]  # it saw the stop after one more item, never blocked
