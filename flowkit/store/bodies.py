"""How the store keeps bodies (deliveries' and orders'): zstd-compressed, or as is when small (``pack``/``unpack``).

Measured on realistic print orders (bench/_data.py; 34 KB of order JSON, 45 KB
of rendered XML), per body: zstd level 3 keeps 3.8 KB and 3.4 KB in ~50 µs;
zlib level 3, what earlier versions kept, 4.4 KB and 4.4 KB in ~160 µs (zstd 6:
another 7% smaller at four times the time, which deliver would pay per payload).
``unpack`` reads all three forms by their first bytes, so stores written by an
earlier version (zlib) need no migration: old rows stay zlib, new rows are zstd.
"""

from __future__ import annotations

import threading
import zlib
from typing import Any

RAW = b"\x00"  # marks a body kept as is; neither a zlib nor a zstd stream starts with this byte
ZSTD = b"\x28\xb5\x2f\xfd"  # the zstd frame magic; a zlib stream starts with 0x78 (or another CMF byte, never 0x28)
SMALL = 256  # bodies up to this size are kept as is: compressing would save a few bytes at some µs each
ORDER_LEVEL = 3  # order bodies (store/orders.py, migration 0009)

_local = threading.local()  # zstd contexts are not for two threads at once (deliver packs on a worker thread)


def _compressor(level: int) -> Any:
    cache: dict[int, Any] | None = getattr(_local, "compressors", None)
    if cache is None:
        cache = _local.compressors = {}
    if level not in cache:
        import zstandard

        cache[level] = zstandard.ZstdCompressor(level=level)  # writes the content size: one-shot decompress
    return cache[level]


def _decompressor() -> Any:
    found = getattr(_local, "decompressor", None)
    if found is None:
        import zstandard

        found = _local.decompressor = zstandard.ZstdDecompressor()
    return found


def pack(body: bytes, *, level: int = 3) -> bytes:
    """The body as kept: zstd at ``level`` (a frame with its content size), or as is when small."""
    if len(body) <= SMALL:
        return RAW + body
    return bytes(_compressor(level).compress(body))


def unpack(kept: bytes) -> bytes:
    """The body ``pack`` kept (zstd, as is, or the zlib stream of an earlier version)."""
    if kept[:1] == RAW:
        return kept[1:]
    if kept[:4] == ZSTD:
        return bytes(_decompressor().decompress(kept))
    return zlib.decompress(kept)
