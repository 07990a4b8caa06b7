"""Payload options: what the standard XML/JSON and OrderFlow payloads include, and the extra-data filter.

render resolves them (built-in defaults < ``[render]`` < per-supplier/channel
tables < env < flags); the formats read them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any

from flowkit.errors import ConfigError

FORMATS = ("xml", "json", "orderflow")
APPROVAL_STATUSES = frozenset({"UnapprovedOrder", "AwaitingApproval", "PartiallyApproved", "Approved", "Rejected"})


@dataclass(frozen=True, init=False, repr=False, eq=False)
class RenderOptions:
    """What to put in the payload. Field names are the config keys of ``[render]``.

    Frozen; ``dataclasses.replace`` and ``fields`` work. Its ``__init__`` is written by hand: the
    one the dataclass would generate (with ``__repr__`` and ``__eq__``, unused) cost ~1 ms of
    every render start. Options compare by identity.
    """

    format: str = "xml"
    payment: bool = False
    history: bool = False
    approval_history: bool = False
    extra_data: bool = True
    extra_data_exclude: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    assets: bool = True
    job_ticket: bool = True
    invoice: bool = True
    packing_slip: bool = True
    escape_non_ascii: bool = False
    include_held: bool = False
    include_image: bool = False
    indent: bool = True
    orderflow_type: str = "order"
    orderflow_operation: str = "insert"

    def __init__(self, **values: Any) -> None:
        unknown = values.keys() - _TYPES.keys()
        if unknown:
            raise TypeError(f"RenderOptions() got unexpected option(s): {', '.join(sorted(unknown))}")
        for name, value in values.items():  # the others read the class's defaults
            object.__setattr__(self, name, value)

    @cached_property
    def excluded(self) -> ExtraDataFilter:
        return ExtraDataFilter(self.extra_data_exclude)

    @cached_property
    def product_set(self) -> frozenset[str]:
        return frozenset(self.products)

    @cached_property
    def attribute_set(self) -> frozenset[str]:
        return frozenset(self.attributes)

    @cached_property
    def document_types(self) -> dict[str, bool]:
        return {"job_ticket": self.job_ticket, "invoice": self.invoice, "packing_slip": self.packing_slip}

    def everything(self) -> RenderOptions:
        """Every node switched on (the ``--example`` payload)."""
        return replace(
            self,
            payment=True,
            history=True,
            approval_history=True,
            extra_data=True,
            assets=True,
            job_ticket=True,
            invoice=True,
            packing_slip=True,
        )


_CHOICES = {
    "format": FORMATS,
    "orderflow_type": ("order", "product"),
    "orderflow_operation": ("insert", "update", "merge"),
}
_TYPES = {f.name: f.type for f in fields(RenderOptions)}


def build(values: Mapping[str, Any], *, where: str = "[render]", base: RenderOptions | None = None) -> RenderOptions:
    """Options from a config table (keys may use - or _), checked; unknown keys are a ConfigError."""
    changes: dict[str, Any] = {}
    for raw_key, value in values.items():
        key = raw_key.replace("-", "_")
        kind = _TYPES.get(key)
        if kind is None:
            known = ", ".join(sorted(_TYPES))
            raise ConfigError(f"{where}: unknown render option {raw_key!r} (known: {known})")
        changes[key] = _coerce(key, str(kind), value, where)
    options = replace(base or RenderOptions(), **changes)
    options.excluded.check(where)
    return options


def _coerce(key: str, kind: str, value: Any, where: str) -> Any:
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: render option {key!r} must be true or false")
        return value
    if kind.startswith("tuple"):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{where}: render option {key!r} must be a list of strings")
        return tuple(i for i in items if i.strip()) if key == "extra_data_exclude" else tuple(items)
    if not isinstance(value, str) or value not in _CHOICES[key]:
        raise ConfigError(f"{where}: render option {key!r} must be one of: {', '.join(_CHOICES[key])}")
    return value


class ExtraDataFilter:
    """Exclusion list for extra data: an entry matches a key exactly or as a full regular expression."""

    def __init__(self, entries: tuple[str, ...]) -> None:
        self.exact = frozenset(entries)
        self.bad: list[str] = []
        patterns = []
        for entry in entries:
            try:
                patterns.append(f"(?:{re.compile(entry).pattern})")
            except re.error:
                self.bad.append(entry)
        self.pattern = re.compile("|".join(patterns)) if patterns else None

    def check(self, where: str) -> None:
        if self.bad:
            raise ConfigError(
                f"{where}: extra_data_exclude entry {self.bad[0]!r} is not a valid regular expression",
                hint="escape special characters with a backslash to match a key exactly",
            )

    def __call__(self, key: str) -> bool:
        """True when ``key`` is excluded."""
        if key in self.exact:
            return True
        return self.pattern is not None and self.pattern.fullmatch(key) is not None
