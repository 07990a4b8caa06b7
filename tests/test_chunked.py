"""Record input read through a 1 MiB buffer (flowkit/chunked.py): what the stream held already comes first, a
line longer than the buffer is read whole, and on a pipe a whole line is handed on without waiting for more."""

from __future__ import annotations

import io
import os
import threading

from flowkit import chunked


def test_what_the_stream_buffered_already_is_read_first() -> None:
    lines = [b'{"n":%d,"pad":"%s"}\n' % (n, b"x" * 5000) for n in range(300)]
    inner = io.BufferedReader(io.BytesIO(b"".join(lines)), buffer_size=8192)
    assert inner.peek(10)  # bytes sit in the inner buffer before the wrapper reads
    assert list(chunked.buffered(inner)) == lines


def test_a_line_longer_than_the_buffer_is_read_whole() -> None:
    long = b"[" + b"1," * chunked.BUFFER + b"1]\n"
    stream = chunked.buffered(io.BufferedReader(io.BytesIO(long + b"{}\n")))
    assert list(stream) == [long, b"{}\n"]


def test_on_a_pipe_a_whole_line_is_handed_on_while_the_producer_waits() -> None:
    read_end, write_end = os.pipe()
    inner = open(read_end, "rb")  # noqa: SIM115 - closed below (the wrapper leaves the stream it wraps open)
    stream = chunked.buffered(inner)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()))
    reader.start()
    os.write(write_end, b'{"a":1}\n{"b":')  # a line and a half, then the producer stalls
    reader.join(timeout=5)
    try:
        assert not reader.is_alive() and got == [b'{"a":1}\n']
    finally:
        os.write(write_end, b"2}\n")
        os.close(write_end)
        assert stream.read() == b'{"b":2}\n'
        stream.close()
        inner.close()
