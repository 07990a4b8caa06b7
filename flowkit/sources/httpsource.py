"""The ``http`` source: a paginated REST API described in the config (see docs/sources.md).

List pages (page number, offset/limit or next link), then per order an
optional detail call and sub-resource calls (each row with its own detail call
when the sub-resource has a ``detail_path``) merged into one document, then
the source's mapping. Query filters go to the server where the config names
a parameter for them; query-orders checks every filter again on the result.
``invoiced_only`` (Magento 2: open orders with an invoice, state ``processing``
and ``total_invoiced`` > 0) goes to the server too and is checked again here.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flowkit.config import Config
from flowkit.errors import ConfigError, InputError
from flowkit.log import LOG as log
from flowkit.secrets import redact_text
from flowkit.source_presets import PRESETS, effective
from flowkit.sources.base import Fetched, Query
from flowkit.sources.httpclient import HttpRefusedError
from flowkit.sources.mapping import Mapping, MapsOrders, apply_mapping, resolve

PAGINATION = ("none", "page", "offset", "next")
# invoiced_only: Magento's "open invoiced orders", as searchCriteria filter groups (ANDed)
INVOICED = (("state", "processing", "eq"), ("total_invoiced", "0", "gt"))


def fill(template: str, context: dict[str, Any], where: str) -> str:
    """``{pk}``, ``{refs[akinon.pk]}``, ``{prefix}`` placeholders from ``context``."""
    try:
        return string.Formatter().vformat(template, (), context)
    except (KeyError, IndexError, AttributeError) as exc:
        raise ConfigError(f"{where}: placeholder {exc} in {template!r} has no value") from exc


def has_mark_sent(spec: dict[str, Any]) -> bool:
    return bool(spec.get("mark_sent") or PRESETS.get(str(spec.get("preset")), {}).get("mark_sent"))


def invoiced(item: dict[str, Any]) -> bool:
    """A Magento order the ``invoiced_only`` filter keeps: open (``processing``) with something invoiced."""
    try:
        total = float(item.get("total_invoiced") or 0)
    except (TypeError, ValueError):
        total = 0.0
    return item.get("state") == "processing" and total > 0


@dataclass
class HttpSource(MapsOrders):
    name: str
    spec: dict[str, Any]
    where: str
    mapping: Mapping
    carry_over: bool = False
    _client: Any = field(default=None, repr=False)

    @classmethod
    def from_spec(cls, name: str, spec: dict[str, Any], config: Config, where: str) -> HttpSource:
        if spec.get("preset") and spec["preset"] not in PRESETS:
            raise ConfigError(f"{where}: unknown preset {spec['preset']!r} (known: {', '.join(PRESETS)})")
        merged = effective(spec)
        if not merged.get("base_url") and merged.get("url"):
            merged["base_url"] = merged["url"]
        for key in ("base_url", "list_path"):
            if not merged.get(key):
                raise ConfigError(f"{where}: sources.{name} (http) needs {key!r}")
        if merged["pagination"] not in PAGINATION:
            raise ConfigError(f"{where}: pagination must be one of {', '.join(PAGINATION)}")
        if merged.get("invoiced_only") and merged["query_style"] != "magento":
            raise ConfigError(f'{where}: sources.{name}: invoiced_only needs query_style = "magento" (a Magento 2 API)')
        mapping = resolve(str(merged["mapping"]), base_dir=config.base_dir, where=where)
        return cls(name, merged, where, mapping, bool(merged.get("carry_over", False)))

    @property
    def client(self) -> Any:
        if self._client is None:
            from flowkit.sources.httpclient import JsonClient

            self._client = JsonClient(self.spec, self.where)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # listing ---------------------------------------------------------------
    def params(self, query: Query) -> list[tuple[str, str]]:
        """The list call's query parameters: fixed ones, --unsent ones, and the mapped filters."""
        spec = self.spec
        params = [(str(k), _text(v)) for k, v in spec["list_params"].items()]
        if query.unsent:
            params += [(str(k), _text(v)) for k, v in spec["unsent_params"].items()]
        wanted = {
            "number": [query.number] if query.number else [],
            "channel": list(query.channels),
            "since": [query.since] if query.since else [],
        }
        names = spec["filter_params"]
        if spec["query_style"] == "magento":
            return params + _magento_filters(names, wanted, INVOICED if spec.get("invoiced_only") else ())
        for key, values in wanted.items():
            if names.get(key) and values:
                params.append((str(names[key]), ",".join(str(v) for v in values)))
        return params

    def pages(self, query: Query) -> Iterator[list[Any]]:
        spec, style = self.spec, self.spec["pagination"]
        base = self.params(query)
        size, page, offset = int(spec["page_size"]), int(spec["first_page"]), 0
        url: str | None = fill(spec["list_path"], spec, self.where)
        seen = 0
        while url:
            first = style != "next" or page == int(spec["first_page"])
            data, response = self.client.request("GET", url, params=(base + self.paging(page, offset)) if first else None)
            items = self.items(data, url)
            yield items
            seen += len(items)
            page, offset = page + 1, offset + len(items)
            url = self.next_url(data, response, items, seen, size, url)

    def paging(self, page: int, offset: int) -> list[tuple[str, str]]:
        """The paging parameters of the request for ``page`` (or ``offset``)."""
        spec, style, size = self.spec, self.spec["pagination"], str(int(self.spec["page_size"]))
        if style == "page":
            return [(spec["page_param"], str(page)), (spec["size_param"], size)]
        if style == "offset":
            return [(spec["offset_param"], str(offset)), (spec["size_param"], size)]
        if style == "next" and page == int(spec["first_page"]):
            return [(spec["size_param"], size)]
        return []

    def probe(self) -> str:
        """The first list request of ``query-orders --unsent``, with the source's auth, sent once (no retries).

        Refused (401/403, another 4xx, a redirect to another origin): 69; unreachable,
        timed out, 5xx or 429: 75; an answer that is not the list the config describes: 78.
        """
        import httpx

        from flowkit.errors import ConfigError, TempFailError
        from flowkit.secrets import follow

        spec, client = self.spec, self.client
        url = fill(spec["list_path"], spec, self.where)
        params = self.params(Query(unsent=True)) + self.paging(int(spec["first_page"]), 0)
        shown = f"GET {client.show(url)}"
        try:
            response = follow(client.client, client.client.request("GET", url, params=params), client._refuse)
        except httpx.TimeoutException as exc:
            raise TempFailError(f"{shown}: timed out after {float(spec['timeout']):g} s") from exc
        except httpx.TransportError as exc:
            raise TempFailError(f"{shown}: cannot connect: {exc}") from exc
        code = response.status_code
        if code >= 500 or code == 429:
            raise TempFailError(f"{shown}: HTTP {code} {response.reason_phrase}: the server is failing", hint="rerun later")
        try:
            items = self.items(client._parse("GET", redact_text(str(response.url)), response), url)
        except InputError as exc:
            raise ConfigError(exc.format_message(), hint="check the source's items_field and list_path") from exc
        return f"{shown}: HTTP {code}, {len(items)} order(s) on the first page"

    def next_url(self, data: Any, response: Any, items: list[Any], seen: int, size: int, url: str) -> str | None:
        style, spec = self.spec["pagination"], self.spec
        if style == "none" or not items:
            return None
        if style == "next":
            link = _dig(data, spec["next_field"]) if isinstance(data, dict) else None
            return str(link) if link else (response.links.get("next") or {}).get("url")
        total = _dig(data, spec["total_field"]) if spec["total_field"] and isinstance(data, dict) else None
        if total is not None:
            return url if seen < int(total) else None
        return url if len(items) >= size else None

    def items(self, data: Any, url: str) -> list[Any]:
        found = _dig(data, self.spec["items_field"]) if self.spec["items_field"] else data
        if not isinstance(found, list):
            field_name = self.spec["items_field"] or "the response"
            raise InputError(f"GET {self.client.show(url)}: expected a list in {field_name!r}")
        return found

    # one order ---------------------------------------------------------------
    def document(self, item: dict[str, Any]) -> dict[str, Any]:
        """The list item, or its detail, with every sub-resource merged in."""
        spec = self.spec
        context = {**spec, **item}
        doc = item
        if spec["detail_path"]:
            detail = self.client.get(fill(spec["detail_path"], context, self.where))
            if not isinstance(detail, dict):
                raise InputError(f"{self.where}: detail of order {item.get(spec['id_field'])} is not an object")
            doc = {**item, **detail}
        for sub in spec["subresources"]:
            params = {k: fill(str(v), context, self.where) for k, v in (sub.get("params") or {}).items()}
            url: str | None = fill(str(sub["path"]), context, self.where)
            rows: list[Any] = []
            while url:
                data = self.client.get(url, params=params or None)
                field_name = sub.get("items_field", "")
                rows += (_dig(data, field_name) if field_name and isinstance(data, dict) else data) or []
                url = _dig(data, "next") if isinstance(data, dict) and field_name else None
                params = {}
            if sub.get("detail_path"):  # each row's own detail call, merged over the row
                rows = [self.row_detail(str(sub["detail_path"]), row) if isinstance(row, dict) else row for row in rows]
            doc[str(sub["name"])] = rows
        return doc

    def row_detail(self, path: str, row: dict[str, Any]) -> dict[str, Any]:
        """A sub-resource row with its detail merged in (placeholders from the row, e.g. ``{pk}``)."""
        detail = self.client.get(fill(path, {**self.spec, **row}, self.where))
        return {**row, **detail} if isinstance(detail, dict) else row

    def fetch(self, query: Query) -> Iterator[Fetched]:
        for items in self.pages(query):
            for item in items:
                if not isinstance(item, dict):
                    continue
                key = str(item.get(self.spec["id_field"], "?"))
                if self.spec.get("invoiced_only") and not invoiced(item):  # the server's filter, checked again
                    log.info("source %s: order %s skipped: not an open invoiced order (invoiced_only)", self.name, key)
                    continue
                where = f"source {self.name} order {key}"
                try:
                    order = apply_mapping(self.mapping, self.document(item), where, self.check, self.what)
                except InputError as exc:
                    yield Fetched(where, error=exc, key=key)
                    continue
                except HttpRefusedError as exc:
                    if exc.http_status != 404:  # a missing detail fails that order; other refusals stop the run
                        raise
                    yield Fetched(where, error=InputError(exc.format_message()), key=key)
                    continue
                yield Fetched(where, order=order, key=order[self.key_field])

    def done(self, item: Fetched, ok: bool) -> None:
        return None

    def mark_sent(self, order: dict[str, Any], response: Any = None) -> str | None:
        """Tell the source ``order`` was exported (the configured calls, see ``writeback``); what it answered.

        ``response`` is the JSON the delivery's destination answered, for ``{response.…}`` values.
        Every value is resolved before the first call: a missing one sends nothing.
        """
        if not self.spec.get("mark_sent"):
            return None
        from flowkit.sources.writeback import calls

        planned = calls(self.spec, order, response, f"source {self.name} mark-sent of order {order['number']}")
        shown = ""
        for call in planned:
            _data, answer = self.client.request(call.method, call.path, json=call.body)
            shown = f"{call.method} {answer.url} {answer.status_code}"
        more = f" (and {len(planned) - 1} item call(s))" if len(planned) > 1 else ""
        return redact_text(shown + more)


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split(".") if dotted else []:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _magento_filters(
    names: dict[str, Any], wanted: dict[str, list[str]], fixed: tuple[tuple[str, str, str], ...] = ()
) -> list[tuple[str, str]]:
    """searchCriteria filter groups (ANDed): ``fixed`` (field, value, condition) first, then the query's filters.

    Several values of one filter become condition ``in``.
    """
    out: list[tuple[str, str]] = []
    group = 0
    for field_name, value, condition in fixed:
        prefix = f"searchCriteria[filter_groups][{group}][filters][0]"
        out += [(f"{prefix}[field]", field_name), (f"{prefix}[value]", value), (f"{prefix}[condition_type]", condition)]
        group += 1
    for key, values in wanted.items():
        if not names.get(key) or not values:
            continue
        prefix = f"searchCriteria[filter_groups][{group}][filters][0]"
        if key == "since":
            value, condition = values[0].replace("T", " ").rstrip("Z"), "gteq"
        else:
            value, condition = ",".join(values), "in" if len(values) > 1 else "eq"
        out += [(f"{prefix}[field]", str(names[key])), (f"{prefix}[value]", value), (f"{prefix}[condition_type]", condition)]
        group += 1
    return out
