"""The JSON payload's fast builder (flowkit/formats/standard_tree.py) writes the same bytes as the reference
builder (standard.tree with the camelCase names): on the samples and realistic orders under every option, on
mutated orders, and on the property-test orders; built for the XML field names it equals the XML tree too."""

from __future__ import annotations

import copy
import itertools
import random
from dataclasses import replace
from typing import Any

import orjson
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from test_formats_standard import options as option_strategy
from test_formats_standard import orders as order_strategy

from flowkit import model
from flowkit.formats import standard
from flowkit.formats.names import JSON, XML
from flowkit.formats.options import RenderOptions
from flowkit.formats.standard_tree import builder, json_tree
from flowkit.render.core import payload

SAMPLES = {p.stem: orjson.loads(p.read_bytes()) for p in sorted((ROOT / "samples" / "orders").glob("*.json"))}
SWITCHES = ("payment", "history", "approval_history", "extra_data", "assets", "job_ticket", "invoice", "packing_slip")
FILTERS: list[dict[str, Any]] = [
    {},
    {"extra_data_exclude": (r"Internal\..*", "_.*")},
    {"attributes": ("Paper", "Corners")},
    {"extra_data_exclude": ("CheckoutAttribute.CostCode",), "attributes": ("Size",)},
]


def every_option() -> list[RenderOptions]:
    out = []
    for flags in itertools.product((False, True), repeat=len(SWITCHES)):
        for extra in FILTERS[: 1 + sum(flags) % len(FILTERS)]:
            out.append(RenderOptions(format="json", **dict(zip(SWITCHES, flags, strict=True)), **extra))
    return out


def realistic(count: int) -> list[dict[str, Any]]:
    """Print orders of 5 to 50 lines built from the samples (as bench/_data.py builds them)."""
    rng = random.Random(7)
    samples = list(SAMPLES.values())
    pool = [line for sample in samples for line in sample["lines"]]
    made = []
    for index in range(count):
        order = copy.deepcopy(samples[index % len(samples)])
        order["lines"] = []
        for n in range(1, rng.randint(5, 50) + 1):
            line = copy.deepcopy(rng.choice(pool))
            line.update(id=str(n), line_number=n, sku=f"{line['sku']}-{n:03d}", quantity=rng.choice((1, 50, 1000)))
            order["lines"].append(line)
        made.append(order)
    return made


def same(order: dict[str, Any], options: RenderOptions, lines: list[dict[str, Any]] | None = None) -> None:
    reference = orjson.dumps(standard.tree(order, options, lines, standard.CAMEL))
    assert orjson.dumps(json_tree(order, options, lines)) == reference
    fields = builder(tuple((field, field) for field in XML))  # keyed by field: the XML payload's tree
    assert fields(order, options, lines) == standard.tree(order, options, lines)


@pytest.mark.parametrize("number", sorted(SAMPLES))
def test_the_samples_under_every_option(number: str) -> None:
    order = SAMPLES[number]
    for options in every_option():
        same(order, options)
        same(order, options, (order.get("lines") or [])[:1])  # the lines --product kept


def test_realistic_orders() -> None:
    options = every_option()
    for index, order in enumerate(realistic(24)):
        assert model.validate(order) == []
        same(order, options[index * 37 % len(options)])
        same(order, RenderOptions(format="json"))


def mutations(order: dict[str, Any]) -> list[dict[str, Any]]:
    """Valid variants of ``order``: optional members left out or null, empty or missing lists and objects."""
    out = []
    for key in ("customer", "billing_address", "shipping", "totals", "supplier", "notes", "hold", "source", "tags"):
        for value in (None, {}, []):
            changed = copy.deepcopy(order)
            if key in changed and model.validate({**changed, key: value}) == []:
                changed[key] = value
                out.append(changed)
        dropped = copy.deepcopy(order)
        dropped.pop(key, None)
        out.append(dropped)
    line_keys = {k for line in order.get("lines") or () for k in line}
    for key in sorted(line_keys - {"id", "sku", "quantity"}):
        for value in ("drop", None, [], {}):
            changed = copy.deepcopy(order)
            for line in changed["lines"]:
                if value == "drop":
                    line.pop(key, None)
                else:
                    line[key] = value
            if model.validate(changed) == []:
                out.append(changed)
    return out


@pytest.mark.parametrize("number", sorted(SAMPLES))
def test_mutated_orders(number: str) -> None:
    variants = mutations(SAMPLES[number])
    assert len(variants) > 20
    options = every_option()
    for index, order in enumerate(variants):
        same(order, options[index * 11 % len(options)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=order_strategy, opts=option_strategy)
def test_property_orders(order: dict[str, Any], opts: RenderOptions) -> None:
    same(order, replace(opts, format="json"))


def test_render_writes_the_fast_tree() -> None:
    order = SAMPLES["1206"]
    options = RenderOptions(format="json", payment=True, history=True)
    body, media, ext = payload(order, options)
    assert (media, ext) == ("application/json", "json")
    assert orjson.dumps(body) == orjson.dumps(standard.tree(order, options, None, standard.CAMEL))
    assert set(body) <= set(JSON.values())
