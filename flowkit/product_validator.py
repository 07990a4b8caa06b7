"""The compiled validator of the canonical product schema (flowkit.product/1); generated, do not edit.

Written by ``python -m flowkit.product_model`` from flowkit/schemas/product.schema.json.
"""

# ruff: noqa
# fmt: off
from __future__ import annotations

import re
from operator import itemgetter
from typing import Any

from flowkit.validation_fast import Matches, date_time_ok, in_enum, opened, short, type_name

SCHEMA_DIGEST = "1fe52854cfacf8750e15ffb57651436c"
CLOSED_DEPTH = 3
"""How deep a value the fast path passed may nest when it left OPEN empty (None: no bound)."""
OPEN: set[int] = set()
"""Marked when the fast path meets members beyond an object's properties, or does not vouch for the value."""
_M = object()
K1 = "expected object, got "
K3 = " is not one of: flowkit.product/1"
K4 = ("flowkit.product/1",)
K6 = frozenset((str, type(None)))
K7 = "expected string or null, got "
K9 = "expected string, got "
K13 = " is not one of: simple, configurable, bundle, grouped, virtual, downloadable, other, null"
K14 = ("simple", "configurable", "bundle", "grouped", "virtual", "downloadable", "other", None)
K17 = " is not one of: enabled, disabled, null"
K18 = ("enabled", "disabled", None)
K22: frozenset[Any] = frozenset()
K24 = "expected object or null, got "
K28 = re.compile("^[0-9]+(\\.[0-9]+)?$").search
K29 = ' is not valid (a non-negative decimal string, e.g. "0.25")'
K31 = " is not one of: kg, g, lb, oz, null"
K32 = ("kg", "g", "lb", "oz", None)
K38 = " is not one of: mm, cm, m, in, null"
K39 = ("mm", "cm", "m", "in", None)
K41 = "expected array, got "
K47 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K48 = ' is not valid (decimal string, e.g. "12.50")'
K51 = re.compile("^[A-Z]{3}$").search
K52 = " is not valid (pattern ^[A-Z]{3}$)"
K69 = frozenset((int, type(None)))
K70 = "expected integer or null, got "
K79 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K80 = " is not valid (RFC 3339; UTC with Z preferred)"
K85 = frozenset(("flowkit.product/1",))
K86 = frozenset(("bundle", "configurable", "downloadable", "grouped", "other", "simple", "virtual"))
K87 = frozenset(("disabled", "enabled"))
K88 = frozenset((str,))
K89 = frozenset(("store", "system"))
K90 = Matches("^[0-9]+(\\.[0-9]+)?$", False)
K91 = frozenset(("g", "kg", "lb", "oz"))
K92 = frozenset(("cm", "in", "m", "mm"))
K93 = frozenset(("height", "length", "unit", "width"))
K94 = itemgetter("length", "width", "height", "unit")
K95 = frozenset(("type", "value"))
K96 = itemgetter("type", "value")
K97 = Matches("^-?[0-9]+(\\.[0-9]+)?$", False)
K98 = Matches("^[A-Z]{3}$", False)
K99 = frozenset(("name", "value"))
K100 = itemgetter("name", "value")
K101 = frozenset(("label", "position", "role", "url"))
K102 = itemgetter("url", "role", "label", "position")
K103 = frozenset(("attributes", "children"))
K104 = itemgetter("attributes", "children")
K105 = Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$", True)
K106 = frozenset(
    (
        "attributes",
        "barcodes",
        "categories",
        "created_at",
        "currency",
        "description",
        "dimensions",
        "external_refs",
        "extra_data",
        "id",
        "images",
        "name",
        "price",
        "price_incl_tax",
        "schema",
        "sku",
        "source",
        "source_type",
        "status",
        "tax_class",
        "type",
        "updated_at",
        "variants",
        "weight",
        "weight_unit",
    )
)
K107 = itemgetter("schema", "id", "sku", "name", "description", "type", "source_type", "status", "external_refs", "source", "weight", "weight_unit", "dimensions", "barcodes", "price", "price_incl_tax", "currency", "tax_class", "attributes", "categories", "images", "variants", "created_at", "updated_at", "extra_data")


def d__root(v: Any, p: Any, out: list[Any]) -> None:
    if f__root(v):
        return  # valid: no problem to name
    OPEN.add(1)  # what the full walk passes, the fast path did not vouch for (``CLOSED_DEPTH``)
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "schema" not in v:
            out.append(((p, "schema"), "required member missing"))
        if "sku" not in v:
            out.append(((p, "sku"), "required member missing"))
        v2 = v.get("schema", _M)
        if v2 is not _M:
            if not in_enum(v2, K4):
                out.append(((p, "schema"), short(v2) + K3))
        v5 = v.get("id", _M)
        if v5 is not _M:
            if type(v5) not in K6:
                out.append(((p, "id"), K7 + type_name(v5)))
        v8 = v.get("sku", _M)
        if v8 is not _M:
            if type(v8) is not str:
                out.append(((p, "sku"), K9 + type_name(v8)))
            elif True:
                if type(v8) is str and len(v8) < 1:
                    out.append(((p, "sku"), "shorter than 1 character(s)"))
        v10 = v.get("name", _M)
        if v10 is not _M:
            if type(v10) not in K6:
                out.append(((p, "name"), K7 + type_name(v10)))
        v11 = v.get("description", _M)
        if v11 is not _M:
            if type(v11) not in K6:
                out.append(((p, "description"), K7 + type_name(v11)))
        v12 = v.get("type", _M)
        if v12 is not _M:
            if not in_enum(v12, K14):
                out.append(((p, "type"), short(v12) + K13))
        v15 = v.get("source_type", _M)
        if v15 is not _M:
            if type(v15) not in K6:
                out.append(((p, "source_type"), K7 + type_name(v15)))
        v16 = v.get("status", _M)
        if v16 is not _M:
            if not in_enum(v16, K18):
                out.append(((p, "status"), short(v16) + K17))
        v19 = v.get("external_refs", _M)
        if v19 is not _M:
            if type(v19) is not dict:
                out.append(((p, "external_refs"), K1 + type_name(v19)))
            elif True:
                for v20, v21 in v19.items():
                    if v20 not in K22:
                        if type(v21) is not str:
                            out.append((((p, "external_refs"), v20), K9 + type_name(v21)))
        v23 = v.get("source", _M)
        if v23 is not _M:
            if v23 is not None:
                if type(v23) is not dict:
                    out.append(((p, "source"), K24 + type_name(v23)))
                elif True:
                    v25 = v23.get("system", _M)
                    if v25 is not _M:
                        if type(v25) not in K6:
                            out.append((((p, "source"), "system"), K7 + type_name(v25)))
                    v26 = v23.get("store", _M)
                    if v26 is not _M:
                        if type(v26) not in K6:
                            out.append((((p, "source"), "store"), K7 + type_name(v26)))
        v27 = v.get("weight", _M)
        if v27 is not _M:
            if v27 is not None:
                if type(v27) is not str:
                    out.append(((p, "weight"), K7 + type_name(v27)))
                elif True:
                    if type(v27) is str and (not K28(v27)):
                        out.append(((p, "weight"), short(v27) + K29))
        v30 = v.get("weight_unit", _M)
        if v30 is not _M:
            if not in_enum(v30, K32):
                out.append(((p, "weight_unit"), short(v30) + K31))
        v33 = v.get("dimensions", _M)
        if v33 is not _M:
            if v33 is not None:
                d_dimensions(v33, (p, "dimensions"), out)
        v40 = v.get("barcodes", _M)
        if v40 is not _M:
            if type(v40) is not list:
                out.append(((p, "barcodes"), K41 + type_name(v40)))
            elif True:
                for v42, v43 in enumerate(v40):
                    d_barcode(v43, ((p, "barcodes"), v42), out)
        v46 = v.get("price", _M)
        if v46 is not _M:
            if v46 is not None:
                if type(v46) is not str:
                    out.append(((p, "price"), K7 + type_name(v46)))
                elif True:
                    if type(v46) is str and (not K47(v46)):
                        out.append(((p, "price"), short(v46) + K48))
        v49 = v.get("price_incl_tax", _M)
        if v49 is not _M:
            if v49 is not None:
                if type(v49) is not str:
                    out.append(((p, "price_incl_tax"), K7 + type_name(v49)))
                elif True:
                    if type(v49) is str and (not K47(v49)):
                        out.append(((p, "price_incl_tax"), short(v49) + K48))
        v50 = v.get("currency", _M)
        if v50 is not _M:
            if v50 is not None:
                if type(v50) is not str:
                    out.append(((p, "currency"), K7 + type_name(v50)))
                elif True:
                    if type(v50) is str and (not K51(v50)):
                        out.append(((p, "currency"), short(v50) + K52))
        v53 = v.get("tax_class", _M)
        if v53 is not _M:
            if type(v53) not in K6:
                out.append(((p, "tax_class"), K7 + type_name(v53)))
        v54 = v.get("attributes", _M)
        if v54 is not _M:
            if type(v54) is not list:
                out.append(((p, "attributes"), K41 + type_name(v54)))
            elif True:
                for v55, v56 in enumerate(v54):
                    d_attribute(v56, ((p, "attributes"), v55), out)
        v59 = v.get("categories", _M)
        if v59 is not _M:
            if type(v59) is not list:
                out.append(((p, "categories"), K41 + type_name(v59)))
            elif True:
                for v60, v61 in enumerate(v59):
                    if type(v61) is not str:
                        out.append((((p, "categories"), v60), K9 + type_name(v61)))
        v62 = v.get("images", _M)
        if v62 is not _M:
            if type(v62) is not list:
                out.append(((p, "images"), K41 + type_name(v62)))
            elif True:
                for v63, v64 in enumerate(v62):
                    d_image(v64, ((p, "images"), v63), out)
        v71 = v.get("variants", _M)
        if v71 is not _M:
            if v71 is not None:
                d_variants(v71, (p, "variants"), out)
        v78 = v.get("created_at", _M)
        if v78 is not _M:
            if v78 is not None:
                if type(v78) is not str:
                    out.append(((p, "created_at"), K7 + type_name(v78)))
                elif True:
                    if type(v78) is str and (not K79(v78) or not date_time_ok(v78)):
                        out.append(((p, "created_at"), short(v78) + K80))
        v81 = v.get("updated_at", _M)
        if v81 is not _M:
            if v81 is not None:
                if type(v81) is not str:
                    out.append(((p, "updated_at"), K7 + type_name(v81)))
                elif True:
                    if type(v81) is str and (not K79(v81) or not date_time_ok(v81)):
                        out.append(((p, "updated_at"), short(v81) + K80))
        v82 = v.get("extra_data", _M)
        if v82 is not _M:
            if type(v82) is not dict:
                out.append(((p, "extra_data"), K1 + type_name(v82)))
            elif True:
                for v83, v84 in v82.items():
                    if v83 not in K22:
                        if type(v84) is not str:
                            out.append((((p, "extra_data"), v83), K9 + type_name(v84)))


def d_dimensions(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        v34 = v.get("length", _M)
        if v34 is not _M:
            if v34 is not None:
                if type(v34) is not str:
                    out.append(((p, "length"), K7 + type_name(v34)))
                elif True:
                    if type(v34) is str and (not K28(v34)):
                        out.append(((p, "length"), short(v34) + K29))
        v35 = v.get("width", _M)
        if v35 is not _M:
            if v35 is not None:
                if type(v35) is not str:
                    out.append(((p, "width"), K7 + type_name(v35)))
                elif True:
                    if type(v35) is str and (not K28(v35)):
                        out.append(((p, "width"), short(v35) + K29))
        v36 = v.get("height", _M)
        if v36 is not _M:
            if v36 is not None:
                if type(v36) is not str:
                    out.append(((p, "height"), K7 + type_name(v36)))
                elif True:
                    if type(v36) is str and (not K28(v36)):
                        out.append(((p, "height"), short(v36) + K29))
        v37 = v.get("unit", _M)
        if v37 is not _M:
            if not in_enum(v37, K39):
                out.append(((p, "unit"), short(v37) + K38))


def d_barcode(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "type" not in v:
            out.append(((p, "type"), "required member missing"))
        if "value" not in v:
            out.append(((p, "value"), "required member missing"))
        v44 = v.get("type", _M)
        if v44 is not _M:
            if type(v44) is not str:
                out.append(((p, "type"), K9 + type_name(v44)))
        v45 = v.get("value", _M)
        if v45 is not _M:
            if type(v45) is not str:
                out.append(((p, "value"), K9 + type_name(v45)))
            elif True:
                if type(v45) is str and len(v45) < 1:
                    out.append(((p, "value"), "shorter than 1 character(s)"))


def d_attribute(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "name" not in v:
            out.append(((p, "name"), "required member missing"))
        v57 = v.get("name", _M)
        if v57 is not _M:
            if type(v57) is not str:
                out.append(((p, "name"), K9 + type_name(v57)))
        v58 = v.get("value", _M)
        if v58 is not _M:
            if type(v58) not in K6:
                out.append(((p, "value"), K7 + type_name(v58)))


def d_image(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "url" not in v:
            out.append(((p, "url"), "required member missing"))
        if "role" not in v:
            out.append(((p, "role"), "required member missing"))
        v65 = v.get("url", _M)
        if v65 is not _M:
            if type(v65) is not str:
                out.append(((p, "url"), K9 + type_name(v65)))
            elif True:
                if type(v65) is str and len(v65) < 1:
                    out.append(((p, "url"), "shorter than 1 character(s)"))
        v66 = v.get("role", _M)
        if v66 is not _M:
            if type(v66) is not str:
                out.append(((p, "role"), K9 + type_name(v66)))
        v67 = v.get("label", _M)
        if v67 is not _M:
            if type(v67) not in K6:
                out.append(((p, "label"), K7 + type_name(v67)))
        v68 = v.get("position", _M)
        if v68 is not _M:
            if type(v68) not in K69:
                out.append(((p, "position"), K70 + type_name(v68)))
            elif True and v68 is not None:
                if type(v68) in (int, float) and v68 < 0:
                    out.append(((p, "position"), f"{v68} is below the minimum 0"))


def d_variants(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        v72 = v.get("attributes", _M)
        if v72 is not _M:
            if type(v72) is not list:
                out.append(((p, "attributes"), K41 + type_name(v72)))
            elif True:
                for v73, v74 in enumerate(v72):
                    if type(v74) is not str:
                        out.append((((p, "attributes"), v73), K9 + type_name(v74)))
        v75 = v.get("children", _M)
        if v75 is not _M:
            if type(v75) is not list:
                out.append(((p, "children"), K41 + type_name(v75)))
            elif True:
                for v76, v77 in enumerate(v75):
                    if type(v77) is not str:
                        out.append((((p, "children"), v76), K9 + type_name(v77)))


def f__root(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x56, x57, x58, x59, x60, x61, x62, x63, x64, x65, x68, x69, x70, x71, x72, x73, x74, x75, x76, x77, x78, x79, x80, x81, x82 = K107(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e__root(v)
    if len(v) != 25:
        OPEN.add(1)
    if not (((type(x56) is str and x56 in K85)) and ((x57 is None or type(x57) is str)) and ((type(x58) is str and (len(x58) >= 1))) and ((x59 is None or type(x59) is str)) and ((x60 is None or type(x60) is str)) and ((x61 is None or (type(x61) is str and x61 in K86))) and ((x62 is None or type(x62) is str)) and ((x63 is None or (type(x63) is str and x63 in K87))) and ((type(x64) is dict and (not x64 or set(map(type, x64.values())) <= K88))) and (x65 is None or ((type(x65) is dict and ((x66 := x65.get("system", _M)) is _M or ((x66 is None or type(x66) is str))) and ((x67 := x65.get("store", _M)) is _M or ((x67 is None or type(x67) is str))) and (x65.keys() <= K89 or opened(OPEN))))) and ((x69 is None or (type(x69) is str and x69 in K91))) and (x70 is None or f_dimensions(x70)) and type(x71) is list and ((x75 is None or type(x75) is str)) and type(x76) is list and ((type(x77) is list and (not x77 or set(map(type, x77)) <= K88))) and type(x78) is list and (x79 is None or f_variants(x79)) and ((type(x82) is dict and (not x82 or set(map(type, x82.values())) <= K88))) and K90.every((x68,)) and K97.every((x72, x73)) and K98.every((x74,)) and K105.every((x80, x81))):
        return False
    for x83 in x71:
        if type(x83) is not dict:
            return False
        try:
            x84, x85 = K96(x83)
        except KeyError:
            OPEN.add(1)
            if e_barcode(x83):
                continue
            return False
        if len(x83) != 2:
            OPEN.add(1)
        if not (((type(x84) is str)) and ((type(x85) is str and (len(x85) >= 1)))):
            return False
    for x86 in x76:
        if type(x86) is not dict:
            return False
        try:
            x87, x88 = K100(x86)
        except KeyError:
            OPEN.add(1)
            if e_attribute(x86):
                continue
            return False
        if len(x86) != 2:
            OPEN.add(1)
        if not (((type(x87) is str)) and ((x88 is None or type(x88) is str))):
            return False
    for x89 in x78:
        if type(x89) is not dict:
            return False
        try:
            x90, x91, x92, x93 = K102(x89)
        except KeyError:
            OPEN.add(1)
            if e_image(x89):
                continue
            return False
        if len(x89) != 4:
            OPEN.add(1)
        if not (((type(x90) is str and (len(x90) >= 1))) and ((type(x91) is str)) and ((x92 is None or type(x92) is str)) and ((x93 is None or type(x93) is int and (0 <= x93 <= 9223372036854775807)))):
            return False
    return True


def f_dimensions(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x20, x21, x22, x23 = K94(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_dimensions(v)
    if len(v) != 4:
        OPEN.add(1)
    return bool(((x23 is None or (type(x23) is str and x23 in K92))) and K90.every((x20, x21, x22)))


def e_dimensions(v: Any) -> bool:
    return bool(((type(v) is dict and ((x16 := v.get("length", _M)) is _M or (x16 is None or ((type(x16) is str and (x16 in K90 or K90.match(x16)))))) and ((x17 := v.get("width", _M)) is _M or (x17 is None or ((type(x17) is str and (x17 in K90 or K90.match(x17)))))) and ((x18 := v.get("height", _M)) is _M or (x18 is None or ((type(x18) is str and (x18 in K90 or K90.match(x18)))))) and ((x19 := v.get("unit", _M)) is _M or ((x19 is None or (type(x19) is str and x19 in K92)))) and (v.keys() <= K93 or opened(OPEN)))))


def f_barcode(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x27, x28 = K96(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_barcode(v)
    if len(v) != 2:
        OPEN.add(1)
    return bool(((type(x27) is str)) and ((type(x28) is str and (len(x28) >= 1))))


def e_barcode(v: Any) -> bool:
    return bool(((type(v) is dict and "type" in v and "value" in v and ((x25 := v.get("type", _M)) is _M or ((type(x25) is str))) and ((x26 := v.get("value", _M)) is _M or ((type(x26) is str and (len(x26) >= 1)))) and (v.keys() <= K95 or opened(OPEN)))))


def f_attribute(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x36, x37 = K100(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_attribute(v)
    if len(v) != 2:
        OPEN.add(1)
    return bool(((type(x36) is str)) and ((x37 is None or type(x37) is str)))


def e_attribute(v: Any) -> bool:
    return bool(((type(v) is dict and "name" in v and ((x34 := v.get("name", _M)) is _M or ((type(x34) is str))) and ((x35 := v.get("value", _M)) is _M or ((x35 is None or type(x35) is str))) and (v.keys() <= K99 or opened(OPEN)))))


def f_image(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x44, x45, x46, x47 = K102(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_image(v)
    if len(v) != 4:
        OPEN.add(1)
    return bool(((type(x44) is str and (len(x44) >= 1))) and ((type(x45) is str)) and ((x46 is None or type(x46) is str)) and ((x47 is None or type(x47) is int and (0 <= x47 <= 9223372036854775807))))


def e_image(v: Any) -> bool:
    return bool(((type(v) is dict and "url" in v and "role" in v and ((x40 := v.get("url", _M)) is _M or ((type(x40) is str and (len(x40) >= 1)))) and ((x41 := v.get("role", _M)) is _M or ((type(x41) is str))) and ((x42 := v.get("label", _M)) is _M or ((x42 is None or type(x42) is str))) and ((x43 := v.get("position", _M)) is _M or ((x43 is None or type(x43) is int and (0 <= x43 <= 9223372036854775807)))) and (v.keys() <= K101 or opened(OPEN)))))


def f_variants(v: Any) -> bool:
    if type(v) is not dict:
        return False
    try:
        x51, x52 = K104(v)
    except KeyError:  # a member missing
        OPEN.add(1)
        return e_variants(v)
    if len(v) != 2:
        OPEN.add(1)
    return bool(((type(x51) is list and (not x51 or set(map(type, x51)) <= K88))) and ((type(x52) is list and (not x52 or set(map(type, x52)) <= K88))))


def e_variants(v: Any) -> bool:
    return bool(((type(v) is dict and ((x49 := v.get("attributes", _M)) is _M or ((type(x49) is list and (not x49 or set(map(type, x49)) <= K88)))) and ((x50 := v.get("children", _M)) is _M or ((type(x50) is list and (not x50 or set(map(type, x50)) <= K88)))) and (v.keys() <= K103 or opened(OPEN)))))


def e__root(v: Any) -> bool:
    return bool(((type(v) is dict and "schema" in v and "sku" in v and ((x1 := v.get("schema", _M)) is _M or ((type(x1) is str and x1 in K85))) and ((x2 := v.get("id", _M)) is _M or ((x2 is None or type(x2) is str))) and ((x3 := v.get("sku", _M)) is _M or ((type(x3) is str and (len(x3) >= 1)))) and ((x4 := v.get("name", _M)) is _M or ((x4 is None or type(x4) is str))) and ((x5 := v.get("description", _M)) is _M or ((x5 is None or type(x5) is str))) and ((x6 := v.get("type", _M)) is _M or ((x6 is None or (type(x6) is str and x6 in K86)))) and ((x7 := v.get("source_type", _M)) is _M or ((x7 is None or type(x7) is str))) and ((x8 := v.get("status", _M)) is _M or ((x8 is None or (type(x8) is str and x8 in K87)))) and ((x9 := v.get("external_refs", _M)) is _M or ((type(x9) is dict and (not x9 or set(map(type, x9.values())) <= K88)))) and ((x10 := v.get("source", _M)) is _M or (x10 is None or ((type(x10) is dict and ((x11 := x10.get("system", _M)) is _M or ((x11 is None or type(x11) is str))) and ((x12 := x10.get("store", _M)) is _M or ((x12 is None or type(x12) is str))) and (x10.keys() <= K89 or opened(OPEN)))))) and ((x13 := v.get("weight", _M)) is _M or (x13 is None or ((type(x13) is str and (x13 in K90 or K90.match(x13)))))) and ((x14 := v.get("weight_unit", _M)) is _M or ((x14 is None or (type(x14) is str and x14 in K91)))) and ((x15 := v.get("dimensions", _M)) is _M or (x15 is None or f_dimensions(x15))) and ((x24 := v.get("barcodes", _M)) is _M or ((type(x24) is list and (not x24 or all(map(f_barcode, x24)))))) and ((x29 := v.get("price", _M)) is _M or (x29 is None or ((type(x29) is str and (x29 in K97 or K97.match(x29)))))) and ((x30 := v.get("price_incl_tax", _M)) is _M or (x30 is None or ((type(x30) is str and (x30 in K97 or K97.match(x30)))))) and ((x31 := v.get("currency", _M)) is _M or (x31 is None or ((type(x31) is str and (x31 in K98 or K98.match(x31)))))) and ((x32 := v.get("tax_class", _M)) is _M or ((x32 is None or type(x32) is str))) and ((x33 := v.get("attributes", _M)) is _M or ((type(x33) is list and (not x33 or all(map(f_attribute, x33)))))) and ((x38 := v.get("categories", _M)) is _M or ((type(x38) is list and (not x38 or set(map(type, x38)) <= K88)))) and ((x39 := v.get("images", _M)) is _M or ((type(x39) is list and (not x39 or all(map(f_image, x39)))))) and ((x48 := v.get("variants", _M)) is _M or (x48 is None or f_variants(x48))) and ((x53 := v.get("created_at", _M)) is _M or (x53 is None or ((type(x53) is str and (x53 in K105 or K105.match(x53)))))) and ((x54 := v.get("updated_at", _M)) is _M or (x54 is None or ((type(x54) is str and (x54 in K105 or K105.match(x54)))))) and ((x55 := v.get("extra_data", _M)) is _M or ((type(x55) is dict and (not x55 or set(map(type, x55.values())) <= K88)))) and (v.keys() <= K106 or opened(OPEN)))))
