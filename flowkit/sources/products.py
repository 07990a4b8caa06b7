"""Product sources for ``query-products``: the order sources' folder and HTTP readers, mapping to products.

A folder (or a ``[sources.NAME]`` of type ``dir``) and an ``http`` source read
products exactly as they read orders (files in name order, pages of an API,
the same client, retries and errors); only the mapping (``product_mapping``)
and the key (the SKU) differ. A source with ``preset = "magento2"`` is the
shop's API: query-products keeps its connection (``base_url``, credentials,
timeouts, page size) and reads ``GET /rest/V1/products`` with searchCriteria
paging, filtered by ``type_id`` (simple products by default) and ``sku`` on the
server, so one ``[sources.shop]`` serves query-orders and query-products.
A product folder is the whole catalogue, read on every run: ``move_processed``
would hide the products it moved, so it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowkit.config import Config
from flowkit.errors import ConfigError
from flowkit.source_presets import effective
from flowkit.sources.base import Query, Source, source_spec
from flowkit.sources.dirsource import DirSource
from flowkit.sources.httpsource import HttpSource, _magento_filters
from flowkit.sources.product_mapping import check_product, resolve

# What query-products reads of a preset's shop: the product list, instead of the orders.
PRODUCT_PRESETS: dict[str, dict[str, Any]] = {
    "magento2": {
        "list_path": "/rest/V1/products",
        "query_style": "magento",
        "list_params": {},
        "unsent_params": {},
        "filter_params": {},
        "items_field": "items",
        "pagination": "page",
        "page_param": "searchCriteria[currentPage]",
        "size_param": "searchCriteria[pageSize]",
        "first_page": 1,
        "total_field": "total_count",
        "id_field": "sku",
        "detail_path": "",
        "subresources": [],
        "mapping": "magento2",
        "mark_sent": None,
        "invoiced_only": False,
        "media_path": "/media/catalog/product",  # where Magento serves catalogue images, below base_url
    },
}
# The keys of a preset source that say how to reach the shop (kept for its products).
CONNECTION = (
    "base_url",
    "url",
    "auth",
    "token",
    "token_scheme",
    "username",
    "password",
    "headers",
    "prefix",
    "page_size",
    "rate_limit",
    "retries",
    "backoff",
    "timeout",
    "verify",
)


@dataclass(frozen=True)
class ProductQuery(Query):
    """Which products: by SKU, by type (empty: every type); the lifecycle filters are query-products' own."""

    skus: tuple[str, ...] = ()
    types: tuple[str, ...] = ("simple",)


class MapsProducts:
    """A source's documents are products, keyed by SKU, checked against flowkit.product/1."""

    what = "product"
    key_field = "sku"

    def check(self, mapped: Any, where: str) -> dict[str, Any]:
        return check_product(mapped, where)


class ProductDirSource(MapsProducts, DirSource):
    """A folder of product files (JSON, XML, NDJSON), in name order."""


class ProductHttpSource(MapsProducts, HttpSource):
    """A paginated product API; Magento's searchCriteria carry the type and SKU filters."""

    def params(self, query: Query) -> list[tuple[str, str]]:
        params = [(str(k), str(v)) for k, v in self.spec["list_params"].items()]
        if self.spec["query_style"] != "magento" or not isinstance(query, ProductQuery):
            return params
        fixed = []
        for field, values in (("type_id", query.types), ("sku", query.skus)):
            if values:
                fixed.append((field, ",".join(values), "in" if len(values) > 1 else "eq"))
        return params + _magento_filters({}, {}, tuple(fixed))


def open_product_source(config: Config, name: str) -> Source:
    """The source named ``[sources.NAME]``, or a folder path, reading products."""
    spec = source_spec(config, name)
    where = config.where("sources", name)
    kind = spec.get("type", "http" if "url" in spec or "base_url" in spec else None)
    if kind == "dir":
        if spec.get("move_processed"):
            raise ConfigError(
                f"{where}: sources.{name}: query-products reads the whole catalogue on every run; "
                "move_processed would hide the products it moves",
                hint="give products a source of their own without move_processed",
            )
        source: DirSource | HttpSource = ProductDirSource.from_spec(name, spec, config, where)
        media = ""
    elif kind == "http":
        preset = PRODUCT_PRESETS.get(str(spec.get("preset")))
        if preset is not None:  # the shop's connection (the order preset's auth, the source's own keys), its product list
            shop = effective(spec)
            spec = {**{k: shop[k] for k in CONNECTION if k in shop}, **preset}
        source = ProductHttpSource.from_spec(name, spec, config, where)
        base = str(source.spec["base_url"]).rstrip("/")
        media = base + str(spec["media_path"]) if preset is not None else ""
    else:
        raise ConfigError(f"{where}: query-products reads a source of type dir or http (sources.{name})")
    mapping = str(spec.get("mapping", "auto"))
    source.mapping = resolve(mapping, base_dir=config.base_dir, where=where, media_url=media)
    return source
