"""The canonical order model (``flowkit.order/1``), its validation, and the stamp that spares validating twice.

The JSON Schema in ``flowkit/schemas/order.schema.json`` is the single
definition; ``flowkit.validation`` compiles it into plain Python code, kept
as the module ``flowkit.model_validator`` (``python -m flowkit.model``
writes it again; tests/test_model.py fails while it is stale), so validating
an order costs about as much as walking it and no process compiles it. Each
problem names the JSON path of the offending value, e.g. ``$.lines[1].quantity``.

Validation once per order per pipeline: a command that has validated an
order may ``stamp`` the record's meta with a content hash of the body
(``meta.validated``, keyed by the schema version). A later command calls
``checked(record)``, which trusts the body only when that hash matches the
body it parsed: a body changed since (by jq, by hand, by a rule) or a stamp
copied from another record is validated again. The hash costs a fraction of
validating (bench/render.py), and trust cannot be given by accident.

A reader that has the record's line checks the stamp on the body's bytes as
read (``vouched_body``: no second encoding of the body), and skips the
record-limit screens on them too: ``stamp`` vouches only for a body within
the limits (``flowkit.limits``), so the same bytes still are. render's reader
validates an unstamped order as it reads it (``vouched``): a valid order with
no member beyond the schema's nests no deeper than the schema lets it, so its
bytes are not screened for nesting either.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

SCHEMA_ID = "flowkit.order/1"
SCHEMA_FILE = Path(__file__).parent / "schemas" / "order.schema.json"
STAMP_KEY = "validated"
"""The meta member holding a validated order body's stamp (``stamp``)."""
# The fields of a canonical address, in the order the payload renders them ("lines" is the street lines).
ADDRESS_KEYS = (
    "first_name",
    "last_name",
    "company",
    "lines",
    "city",
    "region",
    "region_code",
    "district",
    "postal_code",
    "country_code",
    "email",
    "phone",
    "tax_id",
    "tax_office",
    "identity_number",
)

JsonPath = tuple[Any, ...]  # (parent path, member name or index); rendered only on error
ROOT: JsonPath = ()


class Problem(NamedTuple):
    """One validation problem: where (a JSON path) and what."""

    where: JsonPath
    message: str

    @property
    def path(self) -> str:
        """The JSON path, e.g. ``$.lines[1].quantity``."""
        parts: list[str] = []
        node = self.where
        while node:
            node, step = node
            if isinstance(step, int):
                parts.append(f"[{step}]")
            else:
                parts.append(f".{step}" if step.isidentifier() else f"[{json.dumps(step, ensure_ascii=False)}]")
        return "$" + "".join(reversed(parts))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of the canonical order."""
    value: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return value


def validate(order: Any) -> list[Problem]:
    """Every problem in ``order`` against the canonical schema (empty when valid)."""
    from flowkit.model_validator import d__root

    found: list[tuple[JsonPath, str]] = []
    d__root(order, ROOT, found)
    return [Problem(where, message) for where, message in found]


def check(order: Any, key: str | None = None) -> dict[str, Any]:
    """Return ``order`` when valid, else raise a RecordError naming the key and every problem's JSON path.

    The first ``flowkit.problems.CAP`` problems are named (``flowkit.problems.summary``), the count says the rest.
    """
    problems = validate(order)
    if not problems:
        return order  # type: ignore[no-any-return]
    from flowkit.problems import record_error

    name = key if key is not None else (order.get("number") if isinstance(order, dict) else None)
    raise record_error(f"order {name!s} is not a valid {SCHEMA_ID}", problems)


def checked(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's order body: trusted when its stamp matches it (``trusted``), else validated (``check``)."""
    body = record["body"]
    return body if trusted(record) else check(body, record["key"])


def stamp(meta: dict[str, Any], body: Any) -> None:
    """Mark ``meta`` as carrying the valid order ``body`` (call it only after ``check`` passed on ``body``).

    A body beyond the record limits (``flowkit.limits``: too deep inside a record, an integer beyond
    64 bits) gets no stamp: a stamp also vouches that its bytes need no limit screen (``vouched_body``).
    """
    import orjson

    from flowkit.limits import line_limits

    meta.pop(STAMP_KEY, None)
    try:
        data = orjson.dumps([body])  # the body one level down, as deep as it sits in a record line
    except (TypeError, orjson.JSONEncodeError):
        return  # a body orjson cannot write (an integer beyond 64 bits) is never trusted
    if line_limits(data, [body]) is None:
        meta[STAMP_KEY] = _digest_bytes(memoryview(data)[1:-1])


def trusted(record: Mapping[str, Any]) -> bool:
    """Whether the record carries a stamp of exactly its body (so the body was validated as it is)."""
    mark = (record.get("meta") or {}).get(STAMP_KEY)
    return type(mark) is str and mark != "" and mark == _digest(record["body"])


_PREFIX = f"{SCHEMA_ID}:"
_BODY = b',"body":'  # how flowkit writes a record's last member
_BLANK = b" \t\r\n"


def vouched_body(line: bytes, record: Mapping[str, Any]) -> int:
    """Where the body of ``record`` starts in ``line``, the record line it was parsed from, when its stamp vouches
    for the body's bytes as they are in the line (-1 when not).

    The bytes hashed are those between ``,"body":`` and the line's closing brace, as flowkit writes a record
    (compact, the body last); a line written otherwise (by jq, indented) is not vouched for here (``trusted`` may
    still vouch for its parsed body). Sound for any line that parsed: the quote after the comma cannot be escaped,
    so it opens the key ``body``; bytes that hash to a stamp are one whole JSON value, so the brace after them
    closes the record and the key is the record's own ``body``, the last one (orjson keeps the last of a
    repeated key).
    """
    meta = record.get("meta")
    mark = meta.get(STAMP_KEY) if type(meta) is dict else None
    if type(mark) is not str or not mark.startswith(_PREFIX):
        return -1
    end = len(line)
    while end and line[end - 1] in _BLANK:
        end -= 1
    at = line.find(_BODY)
    if at < 0 or line[end - 1] != 0x7D:  # the closing brace
        return -1
    return at if mark == _digest_bytes(memoryview(line)[at + len(_BODY) : end - 1]) else -1


VOUCHED_ALL = 0
"""``vouched``: the body is valid and the whole record within the limits (no screen of its bytes is needed)."""
VOUCHED_BODY = -2
"""``vouched``: the body is valid, the record's bytes are still to be screened for the limits."""


def vouched(line: bytes, record: Mapping[str, Any]) -> int:
    """What a reader may take from ``record`` as read from ``line``, for render: where its body starts when its stamp
    vouches for the body's bytes (``vouched_body``), else ``VOUCHED_ALL`` or ``VOUCHED_BODY`` when the body is a
    valid order, else -1.

    The order is validated here, once. When the fast path passes it without marking ``OPEN`` (no member
    beyond the schema's anywhere, every integer within the limits), it nests no deeper than the schema
    lets it (``CLOSED_DEPTH``, five), so its bytes need no screen: ``VOUCHED_ALL`` when the record's other
    members, walked, are within the limits too (``flowkit.limits.within``). Other kinds (a product, records
    render passes on) are left as they are. One thread at a time: ``OPEN`` is the validator module's.
    """
    at = vouched_body(line, record)
    body = record["body"]
    if at >= 0 or record["kind"] != "order" or type(body) is not dict or body.get("schema") == "flowkit.product/1":
        return at
    from flowkit.limits import MAX_DEPTH, within
    from flowkit.model_validator import CLOSED_DEPTH, OPEN

    OPEN.clear()
    if validate(body):
        return -1  # render validates it again, and names every problem
    closed = not OPEN and CLOSED_DEPTH is not None and CLOSED_DEPTH < MAX_DEPTH
    rest = closed and all(key == "body" or within(value, MAX_DEPTH - 1) for key, value in record.items())
    return VOUCHED_ALL if rest else VOUCHED_BODY


def _digest(body: Any) -> str:
    """The stamp of ``body``: the digest of its orjson bytes (``_digest_bytes``)."""
    import orjson

    try:
        data = orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):
        return ""  # a body orjson cannot write (an integer beyond 64 bits) is never trusted
    return _digest_bytes(data)


def _digest_bytes(data: bytes | memoryview) -> str:
    """``flowkit.order/1:`` and 128 bits of a SHA-256 of a body's JSON bytes keyed by the schema version.

    SHA-256 rather than BLAKE2b: with the SHA extensions of current x86 and ARM processors it hashes a
    realistic order's 34 KB in about half the time (bench/render.py reads one per stamped record).
    """
    hasher = _keyed().copy()
    hasher.update(data)
    return f"{_PREFIX}{hasher.hexdigest()[:32]}"


@cache
def _keyed() -> Any:
    """A SHA-256 that has read the key: the digest of the schema the stamp vouches for."""
    from hashlib import sha256

    from flowkit.model_validator import SCHEMA_DIGEST

    return sha256(f"{SCHEMA_ID} {SCHEMA_DIGEST}\n".encode())


def validator_source() -> str:
    """The source of ``flowkit.model_validator`` for the current schema file."""
    from hashlib import blake2b

    from flowkit.validation import module_source

    digest = blake2b(SCHEMA_FILE.read_bytes(), digest_size=16).hexdigest()
    doc = (
        f"The compiled validator of the canonical order schema ({SCHEMA_ID}); generated, do not edit.\n\n"
        "Written by ``python -m flowkit.model`` from flowkit/schemas/order.schema.json.\n"
    )
    return module_source(schema(), digest=digest, doc=doc)


def hold_reason(order: Mapping[str, Any], now: datetime | None = None) -> str | None:
    """Why the order is held (a reason string), or None when it may be processed.

    A hold with an ``until`` time in the past no longer applies.
    """
    hold = order.get("hold")
    if not hold or not hold.get("on_hold"):
        return None
    until = hold.get("until")
    if until and parse_time(until) <= (now or datetime.now(UTC)):
        return None
    return str(hold.get("reason") or "on hold")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)  # Python >= 3.11 reads "Z"


def utc(value: str | None) -> str | None:
    """An RFC 3339 timestamp in UTC with ``Z`` (canonical values pass unchanged)."""
    if value is None or value.endswith("Z"):
        return value
    stamp = parse_time(value).astimezone(UTC)
    text = stamp.isoformat().replace("+00:00", "Z")
    return text


if __name__ == "__main__":  # python -m flowkit.model: write flowkit/model_validator.py again
    (Path(__file__).parent / "model_validator.py").write_text(validator_source(), encoding="utf-8")
