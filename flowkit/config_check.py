"""Check a parsed config against the schema (flowkit/config_schema.py).

Every problem is collected, each as one line naming ``file:line`` and the
dotted key, never the value: an unknown table, key, type or value (with a
did-you-mean), a wrong kind of value, a key that would be ignored (only read
with another setting, or not read per supplier/channel). On request, also the
``${ENV}`` and ``file:`` secret references that would not resolve now.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from flowkit import config_schema as schema
from flowkit.config_key import Key, Table

KeyPath = tuple[str, ...]
OnUnknown = Callable[[KeyPath, Table], None]
_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "string": (lambda v: isinstance(v, str), "a string"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "int": (_is_int, "an integer"),
    "number": (lambda v: _is_int(v) or isinstance(v, float), "a number"),
    "strings": (_is_strings, "a list of strings"),
    "ints": (lambda v: isinstance(v, list) and all(_is_int(i) for i in v), "a list of integers"),
    "string_or_strings": (lambda v: isinstance(v, str) or _is_strings(v), "a string or a list of strings"),
    "table": (lambda v: isinstance(v, Mapping), "a table"),
    "tables": (lambda v: isinstance(v, list) and all(isinstance(i, Mapping) for i in v), "a list of tables"),
    "named": (lambda v: isinstance(v, Mapping) and all(isinstance(i, Mapping) for i in v.values()), "a table of named tables"),
    "size": (lambda v: _is_int(v) or isinstance(v, str), 'a size (bytes, or a string such as "16MiB")'),
    "any": (lambda v: True, "anything"),
}


class Config(Protocol):
    """What the checker reads of a ``flowkit.config.Config`` (which calls it, so it does not import it)."""

    @property
    def data(self) -> Mapping[str, Any]: ...

    def where(self, *keys: str) -> str: ...


def problems(config: Config, *, secrets: bool = False) -> list[str]:
    """Every problem of ``config``; with ``secrets``, also references that would not resolve."""
    checker = Checker(config)
    checker.top(config.data)
    if secrets:
        checker.check_secrets()
    return checker.found


def old_spellings(config: Config) -> list[str]:
    """A warning for each key spelt the old way (``extra_data_exclude`` for ``exclude_extra``)."""
    checker = Checker(config)
    checker.top(config.data)
    return checker.notes


def _new_spelling(path: KeyPath) -> str | None:
    """The key an old spelling stands for, in a command's table or a supplier's/channel's command table."""
    if len(path) == 2:
        command = path[0]
    elif len(path) == 4 and path[0] in ("suppliers", "channels"):
        command = path[2]
    else:
        return None
    return schema.DEPRECATED.get(command, {}).get(path[-1].replace("-", "_"))


def dotted(path: KeyPath) -> str:
    return ".".join(path)


def suggest(word: str, known: Iterable[str], docs: str) -> str:
    """`` (did you mean 'x'?)``, else the known names when few, else where they are documented."""
    import difflib

    names = list(dict.fromkeys(known))
    close = difflib.get_close_matches(word.replace("-", "_"), names, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (known: {', '.join(names)})" if len(names) <= 12 else f" (see {docs})"


class Checker:
    """Walks the parsed TOML once, collecting problems in ``found``."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.found: list[str] = []
        self.notes: list[str] = []  # not problems: keys spelt the old way
        self.secrets: list[tuple[KeyPath, Any]] = []

    def problem(self, path: KeyPath, message: str) -> None:
        self.found.append(f"{self.config.where(*path)}: {message}")

    def unknown(self, path: KeyPath, known: Iterable[str], what: str = "key") -> None:
        hint = suggest(path[-1], known, schema.DOCS.get(path[0], "docs/config.md"))
        self.problem(path, f"unknown {what} '{dotted(path)}'{hint}")

    def top(self, data: Mapping[str, Any]) -> None:
        for name, value in data.items():
            if name in schema.TOP:
                self.table((name,), value, schema.TOP[name])
            elif name in schema.NAMED:
                self.named(name, value)
            else:
                self.unknown((name,), [*schema.TOP, *schema.NAMED], "table")
        self.alert_destination(data)
        self.routes(data)
        self.receive(data)
        self.jolt_engines(data)

    def jolt_engines(self, data: Mapping[str, Any]) -> None:
        """A supplier's or channel's transform table that names a Jolt spec and no stylesheet takes no engine."""
        for kind in ("suppliers", "channels"):
            entries = data.get(kind)
            for name, entry in entries.items() if isinstance(entries, Mapping) else ():
                table = entry.get("transform") if isinstance(entry, Mapping) else None
                if isinstance(table, Mapping) and "jolt" in table and "engine" in table and "xslt" not in table:
                    path = (kind, str(name), "transform", "engine")
                    self.problem(path, f"'{dotted(path)}' is an XSLT engine: a table naming a jolt spec takes none")

    def routes(self, data: Mapping[str, Any]) -> None:
        """Each deliver route names a [destinations.NAME] (or is a URL, or a template over the record)."""
        from flowkit.routes import problems

        for path, message in problems(data):
            self.problem(path, message)

    def receive(self, data: Mapping[str, Any]) -> None:
        """What ``flowkit receive`` refuses at start (receive/config.py): listen, route paths, a secret per auth."""
        receive = data.get("receive")
        if not isinstance(receive, Mapping):
            return
        listen = receive.get("listen")
        host, sep, port = listen.rpartition(":") if isinstance(listen, str) else ("", ":", "0")
        if not sep or not port.isdigit() or int(port) > 65535:
            self.problem(("receive", "listen"), f"'receive.listen' {listen!r}: give HOST:PORT (e.g. 127.0.0.1:8080)")
        routes = receive.get("routes")
        paths: dict[str, str] = {}
        for name, route in routes.items() if isinstance(routes, Mapping) else ():
            if not isinstance(route, Mapping):
                continue
            at, path = ("receive", "routes", str(name)), str(route.get("path", f"/{name}"))
            if not path.startswith("/") or "?" in path or "#" in path:
                self.problem((*at, "path"), f"'{dotted((*at, 'path'))}' must be a URL path starting with /")
            elif path in paths:
                self.problem((*at, "path"), f"path {path} is also the path of route '{paths[path]}'")
            paths.setdefault(path, str(name))
            if route.get("auth", "none") in ("bearer", "hmac-sha256") and not route.get("secret"):
                self.problem((*at, "auth"), f"route '{name}' with auth = \"{route['auth']}\" needs a secret")

    def alert_destination(self, data: Mapping[str, Any]) -> None:
        """``[alerts] to`` names a ``[destinations.NAME]`` of this file, or is a destination URL; ``on`` asks
        for something; its durations are not negative."""
        alerts = data.get("alerts")
        if isinstance(alerts, Mapping):
            if alerts.get("on") == []:
                self.problem(("alerts", "on"), "'alerts.on' is empty: no alert would ever be sent (leave it out for all)")
            for key in ("min_interval", "down_after"):
                value = alerts.get(key)
                if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                    self.problem(("alerts", key), f"'alerts.{key}' must be 0 or more seconds")
        to = alerts.get("to") if isinstance(alerts, Mapping) else None
        if not isinstance(to, str):
            return
        if "://" in to:
            scheme = to.split(":", 1)[0].lower()
            if scheme not in schema.SCHEMES:
                hint = suggest(scheme, schema.SCHEMES, "docs/destinations.md")
                self.problem(("alerts", "to"), f"unknown URL scheme in 'alerts.to'{hint}")
            return
        destinations = data.get("destinations")
        known = [str(name) for name in destinations] if isinstance(destinations, Mapping) else []
        if to not in known:
            hint = suggest(to, known, "docs/destinations.md") if known else ""
            self.problem(("alerts", "to"), f"'alerts.to' names no [destinations] table of this file{hint}")

    def named(self, kind: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            self.problem((kind,), f"[{kind}] must be a table of named tables")
            return
        check = {"sources": self.source, "destinations": self.destination}.get(kind, self.entity)
        for name, entry in value.items():
            path = (kind, str(name))
            if isinstance(entry, Mapping):
                check(path, entry)
            else:
                self.problem(path, f"'{dotted(path)}' must be a table")

    def table(
        self,
        path: KeyPath,
        value: Any,
        keys: Table,
        *,
        defaults: Mapping[str, Any] | None = None,
        on_unknown: OnUnknown | None = None,
    ) -> None:
        """Check a table's keys against ``keys``; ``defaults`` are values the code assumes when absent."""
        if not isinstance(value, Mapping):
            self.problem(path, f"'{dotted(path)}' must be a table")
            return
        settings = {**(defaults or {}), **value}
        for raw, item in value.items():
            sub = (*path, str(raw))
            key = keys.get(str(raw))
            if key is None:
                spelt = keys.get(str(raw).replace("-", "_"))
                key = spelt if spelt is not None and spelt.option else None
            if key is None and (new := _new_spelling(sub)) is not None:
                key = keys.get(new)  # the old spelling of a key: read as the key (a note says so)
                self.notes.append(
                    f"{self.config.where(*sub)}: '{dotted(sub)}' is the old spelling of '{new}' "
                    f"(the key of --{new.replace('_', '-')}); it is still read, write '{new}'"
                )
            if key is None:
                (on_unknown or self.unknown)(sub, keys)
            elif key.needs is not None and not _needs_met(key.needs, settings, keys):
                wanted = " or ".join(f'"{v}"' for v in key.needs[1])
                self.problem(sub, f"'{dotted(sub)}' is only read with {key.needs[0]} = {wanted}")
            else:
                self.value(sub, item, key)

    def value(self, path: KeyPath, item: Any, key: Key) -> None:
        check, label = KINDS[key.kind]
        if not check(item):
            self.problem(path, f"'{dotted(path)}' must be {label}")
            return
        if key.choices:
            words = [w.strip().lower() for w in item.split(",") if w.strip()] if key.comma else [item]
            for value in item if isinstance(item, list) else words:
                if value not in key.choices:
                    hint = suggest(str(value), key.choices, "docs/config.md")
                    if "known:" not in hint:
                        hint = hint[:-1] + f"; known: {', '.join(key.choices)})"
                    what = f"{path[0][:-1]} type in" if path[-1] == "type" and len(path) == 3 else "value for"
                    what = f"word {value!r} in" if key.comma else what
                    self.problem(path, f"unknown {what} '{dotted(path)}'{hint}")
                    break
        if key.secret:
            self.secrets.append((path, item))
        if key.keys is not None and key.kind == "named":  # [x.NAME] tables, each checked against key.keys
            for name, entry in item.items():
                self.table((*path, str(name)), entry, key.keys)
        elif key.keys is not None:
            for entry in item if isinstance(item, list) else [item]:
                self.table(path, entry, key.keys)

    def source(self, path: KeyPath, entry: Mapping[str, Any]) -> None:
        kind = entry.get("type", "http" if "url" in entry or "base_url" in entry else None)
        if kind is None:
            self.problem(path, f"'{dotted(path)}' needs 'type' ({', '.join(schema.SOURCE_TYPES)})")
            return
        if not isinstance(kind, str) or kind not in schema.SOURCES:  # a list or table is no type name
            self.value((*path, "type"), kind, schema.SOURCE_COMMON["type"])
            return
        keys: dict[str, Key] = {**schema.SOURCE_COMMON, **schema.SOURCES[kind]}
        defaults: dict[str, Any] = {}
        if kind == "http":
            defaults["auth"] = schema.PRESET_AUTH.get(str(entry.get("preset")), "none")
            templates = [entry.get(k) for k in schema.TEMPLATE_KEYS]
            keys.update({name: Key("any") for name in _placeholders(templates) if name not in keys})
            from flowkit.source_presets import DEFAULTS, PRESETS
            from flowkit.writeback_templates import template_problems

            preset = {**DEFAULTS, **PRESETS.get(str(entry.get("preset")), {})}  # what mark-sent's templates see
            for sub, message in template_problems(entry, preset):  # {respons.id}, a brace left open: before mark-sent
                self.problem((*path, *sub), f"'{dotted((*path, *sub))}': {message}")
            style = entry.get("query_style", "magento" if entry.get("preset") == "magento2" else "params")
            if entry.get("invoiced_only") is True and style != "magento":  # as the source refuses it (httpsource.py)
                sub = (*path, "invoiced_only")
                self.problem(sub, f"'{dotted(sub)}' needs query_style = \"magento\" (a Magento 2 API)")
        self.table(path, entry, keys, defaults=defaults)

    def destination(self, path: KeyPath, entry: Mapping[str, Any]) -> None:
        url = entry.get("url")
        scheme = url.split(":", 1)[0].lower() if isinstance(url, str) and ":" in url else None
        kind = entry.get("type", schema.SCHEMES.get(scheme or ""))
        if kind is None:
            if scheme is not None:
                self.problem(
                    (*path, "url"),
                    f"unknown URL scheme in '{dotted(path)}.url'{suggest(scheme, schema.SCHEMES, 'docs/destinations.md')}",
                )
            else:
                self.problem(path, f"'{dotted(path)}' needs 'type' or 'url'")
            return
        if not isinstance(kind, str) or kind not in schema.DESTINATIONS:
            self.value((*path, "type"), kind, schema.DESTINATION_COMMON["type"])
            return
        keys = {**schema.DESTINATION_COMMON, **schema.DESTINATIONS[kind]}
        self.table(path, entry, keys)
        if isinstance(url, str) and kind != "http":
            self.url_query((*path, "url"), url, keys)

    def url_query(self, path: KeyPath, url: str, keys: Table) -> None:
        """A destination URL's query parameters are options too (``?known_hosts=…``)."""
        from urllib.parse import parse_qsl, urlsplit

        for name, _ in parse_qsl(urlsplit(url).query):
            if name not in keys:
                hint = suggest(name, keys, "docs/destinations.md")
                self.problem(path, f"unknown option '{name}' in the query of '{dotted(path)}'{hint}")

    def entity(self, path: KeyPath, entry: Mapping[str, Any]) -> None:
        """``[suppliers.X]``/``[channels.X]``: a few attributes and per-record command tables."""
        keys = schema.ENTITIES[path[0]]
        for raw, item in entry.items():
            sub = (*path, str(raw))
            if raw in keys:
                self.value(sub, item, keys[raw])
            elif raw in schema.PER_RECORD:
                self.table(sub, item, schema.PER_RECORD[raw], on_unknown=self.not_per_record)
            elif raw in schema.COMMANDS:
                self.problem(
                    sub,
                    f"'{dotted(sub)}' is not read: {raw} has no per-supplier or per-channel "
                    f"settings (only {', '.join(schema.PER_RECORD)} have)",
                )
            else:
                self.unknown(sub, [*keys, *schema.PER_RECORD])

    def not_per_record(self, path: KeyPath, keys: Table) -> None:
        command, key = path[2], path[-1].replace("-", "_")
        if key in schema.COMMANDS[command]:
            self.problem(
                path, f"'{dotted(path)}' is only read in [{command}], not per supplier or channel (read here: {', '.join(keys)})"
            )
        else:
            self.unknown(path, keys)

    def check_secrets(self) -> None:
        """``${ENV}`` references whose variable is unset, ``file:`` secrets whose file is missing."""
        for path, value in self.secrets:
            items = value.items() if isinstance(value, Mapping) else [(None, value)]
            for name, item in items:
                where = path if name is None else (*path, str(name))
                if isinstance(item, str):
                    self._secret(where, item)

    def _secret(self, path: KeyPath, value: str) -> None:
        if value.startswith("file:"):
            if not Path(os.path.expanduser(value[5:])).is_file():
                self.problem(path, f"'{dotted(path)}': secret file {value[5:]} does not exist")
            return
        for variable in _REF.findall(value):
            if variable not in os.environ:
                self.problem(path, f"'{dotted(path)}': environment variable {variable} is not set")


def _needs_met(needs: tuple[str, tuple[str, ...]], settings: Mapping[str, Any], keys: Table) -> bool:
    """Whether the setting a key depends on allows it (an unknown value there is its own problem)."""
    value = settings.get(needs[0])
    controller = keys.get(needs[0])
    unknown = controller is not None and bool(controller.choices) and value is not None and value not in controller.choices
    return value in needs[1] or unknown


def _placeholders(values: Iterable[Any]) -> Iterator[str]:
    """Names in ``{name}`` placeholders of template strings, nested lists and tables included."""
    for value in values:
        if isinstance(value, str):
            yield from _PLACEHOLDER.findall(value)
        elif isinstance(value, Mapping):
            yield from _placeholders(value.values())
        elif isinstance(value, list):
            yield from _placeholders(value)
