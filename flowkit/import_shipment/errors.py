"""The error of a shipment message that cannot be read (shared by the JSON and SOAP readers)."""

from __future__ import annotations


class BadMessage(Exception):
    """A shipment message that cannot be read; ``order``/``seq`` when they were found."""

    def __init__(self, message: str, *, order: str | None = None, seq: int | None = None) -> None:
        super().__init__(message)
        self.order = order
        self.seq = seq
