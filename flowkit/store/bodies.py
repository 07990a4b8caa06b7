"""How the store keeps bodies (deliveries' and orders'): zstd-compressed, or as is when small (``pack``/``unpack``).

Measured on realistic print orders (bench/_data.py; 34 KB of order JSON, 45 KB
of rendered XML), per body: zstd level 3 keeps 3.8 KB and 3.4 KB in ~50 µs;
zlib level 3, what earlier versions kept, 4.4 KB and 4.4 KB in ~160 µs (zstd 6:
another 7% smaller at four times the time, which deliver would pay per payload).
``unpack`` reads all three forms by their first bytes, so stores written by an
earlier version (zlib) need no migration: old rows stay zlib, new rows are zstd.

A body may be packed with a dictionary the store trained from bodies of its
kind (``store/dictionaries.py``): its frame names the dictionary's id, and
``unpack`` asks the store's dictionaries for it.
"""

from __future__ import annotations

import threading
import zlib
from typing import Any, NamedTuple, Protocol

RAW = b"\x00"  # marks a body kept as is; neither a zlib nor a zstd stream starts with this byte
ZSTD = b"\x28\xb5\x2f\xfd"  # the zstd frame magic; a zlib stream starts with 0x78 (or another CMF byte, never 0x28)
SMALL = 256  # bodies up to this size are kept as is: compressing would save a few bytes at some µs each
ORDER_LEVEL = 3  # order bodies (store/orders.py, migration 0009)


class Dictionary(NamedTuple):
    """A trained zstd dictionary: its id (written in each frame packed with it) and its bytes."""

    id: int
    data: bytes


class Dictionaries(Protocol):
    def get(self, dict_id: int) -> Dictionary: ...


_local = threading.local()  # zstd contexts are not for two threads at once (deliver packs on a worker thread)


def _compressor(level: int, dictionary: Dictionary | None) -> Any:
    cache: dict[tuple[int, int], Any] | None = getattr(_local, "compressors", None)
    if cache is None:
        cache = _local.compressors = {}
    key = (level, dictionary.id if dictionary is not None else 0)
    found = cache.get(key)
    if found is None:
        import zstandard

        if dictionary is None:
            found = zstandard.ZstdCompressor(level=level)  # writes the content size: one-shot decompress
        else:
            data = zstandard.ZstdCompressionDict(dictionary.data)
            data.precompute_compress(level=level)
            found = zstandard.ZstdCompressor(dict_data=data)
        cache[key] = found
    return found


def _decompressor(dictionary: Dictionary | None) -> Any:
    cache: dict[int, Any] | None = getattr(_local, "decompressors", None)
    if cache is None:
        cache = _local.decompressors = {}
    key = dictionary.id if dictionary is not None else 0
    found = cache.get(key)
    if found is None:
        import zstandard

        if dictionary is None:
            found = zstandard.ZstdDecompressor()
        else:
            found = zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(dictionary.data))
        cache[key] = found
    return found


def pack(body: bytes, *, level: int = 3, dictionary: Dictionary | None = None) -> bytes:
    """The body as kept: zstd at ``level`` (a frame with its content size, and ``dictionary``'s id), or as is when small."""
    if len(body) <= SMALL:
        return RAW + body
    return bytes(_compressor(level, dictionary).compress(body))


def unpack(kept: bytes, dictionaries: Dictionaries | None = None) -> bytes:
    """The body ``pack`` kept (zstd, as is, or the zlib stream of an earlier version).

    A frame packed with a dictionary is read with the one ``dictionaries`` has under its id.
    """
    if kept[:1] == RAW:
        return kept[1:]
    if kept[:4] == ZSTD:
        used = dict_id(kept)
        if not used:
            return bytes(_decompressor(None).decompress(kept))
        if dictionaries is None:
            raise ValueError(f"a kept body needs compression dictionary {used}, and no store was given to read it")
        return bytes(_decompressor(dictionaries.get(used)).decompress(kept))
    return zlib.decompress(kept)


def dict_id(kept: bytes) -> int:
    """The id of the dictionary a kept body was packed with (0: none), from its zstd frame header (RFC 8878 3.1.1.1)."""
    if kept[:4] != ZSTD:
        return 0
    descriptor = kept[4]
    size = (0, 1, 2, 4)[descriptor & 3]
    if not size:
        return 0
    at = 5 + (0 if descriptor & 0x20 else 1)  # a window descriptor byte unless single segment
    return int.from_bytes(kept[at : at + size], "little")
