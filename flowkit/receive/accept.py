"""A checked body kept in its route's inbox, once per Idempotency-Key: the answer a post gets.

``Acceptor.accept`` runs after the route's authentication and the body's
checks passed. Without a key the body is written (``spool``). With a key, the
key's record decides (``keys``): a new key is recorded ``pending`` with the
file name first, then the body written, then the record marked ``done``; a key
seen before answers what its first post was answered (``Idempotent-Replayed:
true``), finishing the file first if the first post was cut short; the same key
with another body is 422.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowkit.receive import keys as key_records
from flowkit.receive.body import Checked
from flowkit.receive.config import Route
from flowkit.receive.spool import Naming, Spool


@dataclass
class Answer:
    """The HTTP answer of a post, and what the log line says about it."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False
    name: str | None = None  # the inbox file the body is kept in
    replay: bool = False

    @classmethod
    def error(cls, status: int, reason: str, *, close: bool = False, **headers: str) -> Answer:
        return cls(status, {"error": reason}, {k.replace("_", "-"): v for k, v in headers.items()}, close=close)


def accepted(route: Route, name: str, *, replay: bool = False) -> Answer:
    headers = {"Idempotent-Replayed": "true"} if replay else {}
    return Answer(202, {"status": "accepted", "route": route.name, "id": name}, headers, name=name, replay=replay)


class Acceptor:
    """The spool and the key records the server's threads share."""

    def __init__(self) -> None:
        self.spool = Spool()
        self.keys = key_records.Keys()

    def accept(self, route: Route, data: bytes, checked: Checked, key: str | None) -> Answer:
        """Keep ``data`` (``spool.DiskFull`` or OSError when it could not be: nothing kept)."""
        naming = Naming(route.kind, checked.extension, checked.message_seq)
        if key is None:
            return accepted(route, self.spool.write(route.inbox, data, naming))
        digest = key_records.sha256(data)
        with self.keys.held(route.name, key):
            record = self.keys.read(route.inbox, route.name, key)
            if record is not None and record.sha256 != digest:
                return Answer.error(422, "this Idempotency-Key was used with another body on this route")
            if record is not None and (record.state == "done" or key_records.kept(route.inbox, record.name)):
                if record.state != "done":
                    self.keys.write(route.inbox, route.name, key, key_records.Record(record.name, digest, "done"), durable=False)
                return accepted(route, record.name, replay=True)
            if record is None:
                record = key_records.Record(self.spool.name(naming), digest)
                self.keys.write(route.inbox, route.name, key, record, durable=True)
            name = self.spool.write(route.inbox, data, naming, record.name)
            self.keys.write(route.inbox, route.name, key, key_records.Record(name, digest, "done"), durable=name != record.name)
            return accepted(route, name)
