"""Routes: which destination each payload record goes to (``flowkit deliver`` without one ``--to``).

A route is a destination name, a URL, or a template over the record
(``{meta.supplier}``, ``{meta.channel}``, ``{key}``, ``{kind}``) that must give
the name of a ``[destinations.NAME]``. Per record, the first that applies wins:

1. ``--to`` given on the command line (or ``FLOWKIT_DELIVER_TO``): every record;
2. ``[suppliers.S.deliver] to`` for the record's ``meta.supplier``;
3. ``[channels.C.deliver] to`` for its ``meta.channel``;
4. ``[deliver] to``.

A record none applies to, or whose template cannot be filled, fails alone (65).
Pure and light: ``config_check`` reads the same routes to refuse unknown
destinations (exit 78), ``deliver`` picks with them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowkit.errors import ExitCode, RecordError

_FIELD = re.compile(r"\{([^{}]*)\}")
FIELDS = ("key", "kind", "meta.NAME")
KINDS = (("suppliers", "supplier"), ("channels", "channel"))  # table, meta key: in the order they are tried


def is_template(value: str) -> bool:
    """A template over the record; a URL's braces are its own (``https://erp/orders/{key}``)."""
    return "{" in value and not is_url(value)


def is_url(value: str) -> bool:
    return "://" in value


def template_problem(template: str) -> str | None:
    """What a route template cannot do (``{meta.supplier}`` is fine, ``{supplier}`` or ``{meta.x`` is not), or None."""
    for name in _FIELD.findall(template):
        if name not in ("key", "kind") and not re.fullmatch(r"meta\.[^.]+(\.[^.]+)*", name):
            return f"unknown field {{{name}}} (known: {', '.join(FIELDS)})"
    rest = _FIELD.sub("", template)
    return "a { or } without its pair" if "{" in rest or "}" in rest else None


def configured(data: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every route the parsed config holds: (its key path as written, its value)."""
    table = data.get("deliver")
    if isinstance(table, Mapping):
        yield from _route(("deliver",), table)
    for kind, _ in KINDS:
        entries = data.get(kind)
        for name, entry in entries.items() if isinstance(entries, Mapping) else ():
            deliver = entry.get("deliver") if isinstance(entry, Mapping) else None
            if isinstance(deliver, Mapping):
                yield from _route((kind, str(name), "deliver"), deliver)


def _route(path: tuple[str, ...], table: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], str]]:
    for key in ("to", "target"):  # `target`: the old spelling, still read
        value = table.get(key)
        if isinstance(value, str) and value:
            yield (*path, key), value
            return


def problems(data: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], str]]:
    """What is wrong with the config's routes: (key path, message) for an unknown destination or template field."""
    destinations = data.get("destinations")
    known = [str(n) for n in destinations] if isinstance(destinations, Mapping) else []
    for path, value in configured(data):
        where = ".".join(path)
        if is_template(value) or (not is_url(value) and "}" in value):
            if (why := template_problem(value)) is not None:
                yield path, f"'{where}': {why} in its template"
        elif is_url(value):  # deliver would refuse the whole run at its first record for it (78)
            from flowkit.config_schema import SCHEMES

            scheme = value.split(":", 1)[0].lower()
            if scheme not in SCHEMES:
                yield path, f"'{where}': unknown URL scheme '{scheme}' in '{value}' (known: {', '.join(sorted(SCHEMES))})"
        elif value not in known:
            import difflib

            close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(sorted(known)) or 'none configured'}"
            yield path, f"'{where}' names an unknown destination '{value}': there is no [destinations.{value}] ({hint})"


@dataclass(frozen=True)
class Routes:
    """The routes of one deliver run: ``explicit`` (``--to`` as given), ``[deliver] to``, per supplier and channel."""

    explicit: str | None = None
    default: str | None = None
    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # "suppliers"/"channels" -> name -> route
    known: frozenset[str] = frozenset()  # the [destinations.NAME] names a template may give

    @classmethod
    def from_config(cls, data: Mapping[str, Any], explicit: str | None) -> Routes:
        tables: dict[str, dict[str, str]] = {kind: {} for kind, _ in KINDS}
        default = None
        for path, value in configured(data):
            if path[0] == "deliver":
                default = value
            else:
                tables[path[0]][path[1]] = value
        destinations = data.get("destinations")
        known = frozenset(str(n) for n in destinations) if isinstance(destinations, Mapping) else frozenset()
        return cls(explicit or None, default, tables, known)

    @property
    def empty(self) -> bool:
        return not (self.explicit or self.default or any(self.tables.values()))

    @property
    def single(self) -> str | None:
        """The one destination of every record, when no record has a choice (``--to NAME`` or only ``[deliver] to``)."""
        if self.explicit:
            return None if is_template(self.explicit) else self.explicit
        if self.default and not is_template(self.default) and not any(self.tables.values()):
            return self.default
        return None

    def named(self) -> list[str]:
        """The destinations the routes name outright (not through a template), in sorted order."""
        values = [self.explicit, self.default, *(v for table in self.tables.values() for v in table.values())]
        return sorted({v for v in values if v and not is_template(v)})

    def pick(self, record: Mapping[str, Any]) -> str:
        """The destination of ``record`` (a name or URL), or RecordError (65) naming why it has none."""
        if self.explicit:
            return self._fill(self.explicit, record, "--to")
        meta = record.get("meta") or {}
        for kind, meta_key in KINDS:
            value = meta.get(meta_key)
            route = self.tables.get(kind, {}).get(str(value)) if value is not None else None
            if route is not None:
                return self._fill(route, record, f"[{kind}.{value}.deliver] to")
        if self.default:
            return self._fill(self.default, record, "[deliver] to")
        why = [
            f"{meta_key} {meta[meta_key]} has no [{kind}.{meta[meta_key]}.deliver] to"
            if meta.get(meta_key) is not None
            else f"it has no meta.{meta_key}"
            for kind, meta_key in KINDS
        ]
        raise RecordError(
            f"no destination for record {record.get('key')}: {', '.join(why)}, and there is no [deliver] to or --to",
            code=ExitCode.DATAERR,
        )

    def _fill(self, route: str, record: Mapping[str, Any], origin: str) -> str:
        if not is_template(route):
            return route
        key = record.get("key")

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            found: Any = record.get(name) if name in ("key", "kind") else record.get("meta") or {}
            for part in name[5:].split(".") if name.startswith("meta.") else ():
                found = found.get(part) if isinstance(found, Mapping) else None
            if found is None or isinstance(found, (Mapping, list)) or found == "":
                raise RecordError(
                    f"no destination for record {key}: {origin} '{route}' needs {name}, which the record lacks",
                    code=ExitCode.DATAERR,
                )
            return str(found)

        name = _FIELD.sub(value, route)
        if name not in self.known:
            listed = ", ".join(sorted(self.known)) or "none configured"
            raise RecordError(
                f"no destination for record {key}: {origin} '{route}' gives '{name}', "
                f"which is no [destinations.{name}] (known: {listed})",
                code=ExitCode.DATAERR,
            )
        return name


def check_template(value: str) -> str | None:
    """Why ``--to`` cannot be used as a template, or None."""
    why = template_problem(value)
    return f"{why} in '{value}'" if why else None
