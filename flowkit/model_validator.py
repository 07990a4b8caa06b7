"""The compiled validator of the canonical order schema (flowkit.order/1); generated, do not edit.

Written by ``python -m flowkit.model`` from flowkit/schemas/order.schema.json.
"""

# ruff: noqa
from __future__ import annotations

import re
from typing import Any

from flowkit.validation import date_time_ok, in_enum, short, type_name

SCHEMA_DIGEST = "6a83e83ec356cbc2685a291fffda5227"
_M = object()
K1 = "expected object, got "
K3 = " is not one of: flowkit.order/1"
K4 = ("flowkit.order/1",)
K6 = frozenset((str, type(None)))
K7 = "expected string or null, got "
K9 = "expected string, got "
K11 = "expected object, got "
K14: frozenset[Any] = frozenset()
K15 = "expected string, got "
K17 = "expected object or null, got "
K19 = frozenset((str, type(None)))
K20 = "expected string or null, got "
K22 = "expected object or null, got "
K24 = frozenset((str, type(None)))
K25 = "expected string or null, got "
K27 = frozenset((str, type(None)))
K28 = "expected string or null, got "
K30 = frozenset((str, type(None)))
K31 = "expected string or null, got "
K33 = frozenset((str, type(None)))
K34 = "expected string or null, got "
K36 = "expected object or null, got "
K38 = frozenset((str, type(None)))
K39 = "expected string or null, got "
K41 = frozenset((str, type(None)))
K42 = "expected string or null, got "
K44 = " is not one of: draft, pending, payment_pending, on_hold, approved, in_production, printed, partially_shipped, shipped, delivered, cancelled, failed, null"
K45 = (
    "draft",
    "pending",
    "payment_pending",
    "on_hold",
    "approved",
    "in_production",
    "printed",
    "partially_shipped",
    "shipped",
    "delivered",
    "cancelled",
    "failed",
    None,
)
K47 = frozenset((str, type(None)))
K48 = "expected string or null, got "
K50 = "expected object or null, got "
K52 = "expected boolean, got "
K54 = frozenset((str, type(None)))
K55 = "expected string or null, got "
K57 = "expected string or null, got "
K58 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K59 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K61 = "expected array, got "
K64 = "expected string, got "
K66 = "expected string or null, got "
K67 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K68 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K70 = "expected string or null, got "
K71 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K72 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K74 = "expected string or null, got "
K75 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K76 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K78 = "expected string or null, got "
K79 = re.compile("^[A-Z]{3}$").search
K80 = " is not valid (pattern ^[A-Z]{3}$)"
K82 = frozenset((str, type(None)))
K83 = "expected string or null, got "
K85 = "expected object or null, got "
K87 = frozenset((str, type(None)))
K88 = "expected string or null, got "
K90 = frozenset((str, type(None)))
K91 = "expected string or null, got "
K93 = frozenset((str, type(None)))
K94 = "expected string or null, got "
K96 = frozenset((str, type(None)))
K97 = "expected string or null, got "
K99 = frozenset((str, type(None)))
K100 = "expected string or null, got "
K102 = frozenset((str, type(None)))
K103 = "expected string or null, got "
K105 = frozenset((bool, type(None)))
K106 = "expected boolean or null, got "
K108 = frozenset((str, type(None)))
K109 = "expected string or null, got "
K111 = "expected object, got "
K113 = frozenset((str, type(None)))
K114 = "expected string or null, got "
K116 = frozenset((str, type(None)))
K117 = "expected string or null, got "
K119 = frozenset((str, type(None)))
K120 = "expected string or null, got "
K122 = "expected array, got "
K125 = "expected string, got "
K127 = frozenset((str, type(None)))
K128 = "expected string or null, got "
K130 = frozenset((str, type(None)))
K131 = "expected string or null, got "
K133 = frozenset((str, type(None)))
K134 = "expected string or null, got "
K136 = frozenset((str, type(None)))
K137 = "expected string or null, got "
K139 = frozenset((str, type(None)))
K140 = "expected string or null, got "
K142 = "expected string or null, got "
K143 = re.compile("^[A-Z]{2}$").search
K144 = " is not valid (pattern ^[A-Z]{2}$)"
K146 = frozenset((str, type(None)))
K147 = "expected string or null, got "
K149 = frozenset((str, type(None)))
K150 = "expected string or null, got "
K152 = frozenset((str, type(None)))
K153 = "expected string or null, got "
K155 = frozenset((str, type(None)))
K156 = "expected string or null, got "
K158 = frozenset((str, type(None)))
K159 = "expected string or null, got "
K162 = "expected object or null, got "
K164 = frozenset((str, type(None)))
K165 = "expected string or null, got "
K167 = frozenset((str, type(None)))
K168 = "expected string or null, got "
K170 = frozenset((str, type(None)))
K171 = "expected string or null, got "
K173 = frozenset((str, type(None)))
K174 = "expected string or null, got "
K176 = "expected string or null, got "
K177 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K178 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K180 = "expected string or null, got "
K181 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K182 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K184 = "expected object or null, got "
K186 = "expected string or null, got "
K187 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K188 = ' is not valid (decimal string, e.g. "12.50")'
K190 = "expected string or null, got "
K191 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K192 = ' is not valid (decimal string, e.g. "12.50")'
K194 = "expected string or null, got "
K195 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K196 = ' is not valid (decimal string, e.g. "12.50")'
K198 = "expected string or null, got "
K199 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K200 = ' is not valid (decimal string, e.g. "12.50")'
K202 = "expected string or null, got "
K203 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K204 = ' is not valid (decimal string, e.g. "12.50")'
K206 = frozenset((bool, type(None)))
K207 = "expected boolean or null, got "
K209 = "expected array, got "
K212 = "expected object, got "
K214 = frozenset((str, type(None)))
K215 = "expected string or null, got "
K217 = frozenset((str, type(None)))
K218 = "expected string or null, got "
K220 = "expected string or null, got "
K221 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K222 = ' is not valid (decimal string, e.g. "12.50")'
K224 = "expected array, got "
K227 = "expected string, got "
K229 = "expected array, got "
K232 = "expected object, got "
K234 = "expected string, got "
K236 = frozenset((int, type(None)))
K237 = "expected integer or null, got "
K239 = "expected object, got "
K242: frozenset[Any] = frozenset()
K243 = "expected string, got "
K245 = "expected string, got "
K247 = frozenset((str, type(None)))
K248 = "expected string or null, got "
K250 = frozenset((str, type(None)))
K251 = "expected string or null, got "
K253 = frozenset((str, type(None)))
K254 = "expected string or null, got "
K256 = "expected integer, got "
K258 = frozenset((int, type(None)))
K259 = "expected integer or null, got "
K261 = frozenset((str, type(None)))
K262 = "expected string or null, got "
K264 = frozenset((str, type(None)))
K265 = "expected string or null, got "
K267 = "expected string or null, got "
K268 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K269 = ' is not valid (decimal string, e.g. "12.50")'
K271 = "expected string or null, got "
K272 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K273 = ' is not valid (decimal string, e.g. "12.50")'
K275 = "expected string or null, got "
K276 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K277 = ' is not valid (decimal string, e.g. "12.50")'
K279 = "expected string or null, got "
K280 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K281 = ' is not valid (decimal string, e.g. "12.50")'
K283 = "expected string or null, got "
K284 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K285 = ' is not valid (decimal string, e.g. "12.50")'
K287 = "expected string or null, got "
K288 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K289 = ' is not valid (decimal string, e.g. "12.50")'
K291 = "expected string or null, got "
K292 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K293 = ' is not valid (decimal string, e.g. "12.50")'
K295 = "expected array, got "
K298 = "expected object, got "
K300 = "expected string, got "
K302 = frozenset((str, type(None)))
K303 = "expected string or null, got "
K305 = frozenset((str, type(None)))
K306 = "expected string or null, got "
K308 = frozenset((str, type(None)))
K309 = "expected string or null, got "
K311 = "expected object or null, got "
K313 = frozenset((int, type(None)))
K314 = "expected integer or null, got "
K316 = "expected string or null, got "
K317 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K318 = ' is not valid (decimal string, e.g. "12.50")'
K320 = "expected string or null, got "
K321 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K322 = ' is not valid (decimal string, e.g. "12.50")'
K324 = "expected array, got "
K327 = "expected object, got "
K329 = "expected string, got "
K331 = frozenset((str, type(None)))
K332 = "expected string or null, got "
K334 = "expected string, got "
K336 = frozenset((str, type(None)))
K337 = "expected string or null, got "
K339 = frozenset((str, type(None)))
K340 = "expected string or null, got "
K342 = "expected array, got "
K345 = "expected object, got "
K347 = "expected string, got "
K349 = "expected string, got "
K351 = "expected object, got "
K354: frozenset[Any] = frozenset()
K355 = "expected string, got "
K357 = "expected array, got "
K360 = "expected object, got "
K362 = "expected string, got "
K363 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K364 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K366 = "expected string, got "
K368 = frozenset((int, type(None)))
K369 = "expected integer or null, got "
K371 = frozenset((str, type(None)))
K372 = "expected string or null, got "
K374 = frozenset((str, type(None)))
K375 = "expected string or null, got "
K377 = "expected array, got "
K381 = frozenset((str, type(None)))
K382 = "expected string or null, got "
K384 = "expected array, got "
K387 = "expected object, got "
K389 = frozenset((str, type(None)))
K390 = "expected string or null, got "
K392 = frozenset((str, type(None)))
K393 = "expected string or null, got "
K395 = frozenset((str, type(None)))
K396 = "expected string or null, got "
K398 = frozenset((str, type(None)))
K399 = "expected string or null, got "
K401 = frozenset((str, type(None)))
K402 = "expected string or null, got "
K404 = frozenset((str, type(None)))
K405 = "expected string or null, got "
K407 = frozenset((str, type(None)))
K408 = "expected string or null, got "
K410 = "expected string or null, got "
K411 = re.compile("^[A-Z]{3}$").search
K412 = " is not valid (pattern ^[A-Z]{3}$)"
K414 = "expected string or null, got "
K415 = re.compile("^-?[0-9]+(\\.[0-9]+)?$").search
K416 = ' is not valid (decimal string, e.g. "12.50")'
K418 = "expected string or null, got "
K419 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K420 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K422 = "expected string or null, got "
K423 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K424 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K426 = frozenset((str, type(None)))
K427 = "expected string or null, got "
K429 = "expected array, got "
K433 = "expected array, got "
K437 = "expected array, got "
K440 = "expected object, got "
K442 = frozenset((str, type(None)))
K443 = "expected string or null, got "
K445 = frozenset((str, type(None)))
K446 = "expected string or null, got "
K448 = frozenset((str, type(None)))
K449 = "expected string or null, got "
K451 = frozenset((str, type(None)))
K452 = "expected string or null, got "
K454 = frozenset((str, type(None)))
K455 = "expected string or null, got "
K457 = "expected string or null, got "
K458 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K459 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"
K461 = "expected array, got "
K464 = "expected object, got "
K466 = "expected string, got "
K468 = frozenset((str, type(None)))
K469 = "expected string or null, got "
K471 = "expected array, got "
K474 = "expected object, got "
K476 = "expected string, got "
K478 = "expected integer, got "
K480 = "expected array, got "
K484 = "expected array, got "
K488 = "expected object or null, got "
K490 = frozenset((str, type(None)))
K491 = "expected string or null, got "
K493 = "expected array, got "
K496 = "expected string, got "
K498 = "expected object, got "
K501: frozenset[Any] = frozenset()
K502 = "expected string, got "
K504 = "expected object or null, got "
K506 = "expected boolean, got "
K508 = "expected string or null, got "
K509 = re.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$").search
K510 = " is not valid (RFC 3339; UTC with Z preferred, offsets are converted to UTC on output)"


def d__root(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K1 + type_name(v)))
    elif True:
        if "schema" not in v:
            out.append(((p, "schema"), "required member missing"))
        if "number" not in v:
            out.append(((p, "number"), "required member missing"))
        if "lines" not in v:
            out.append(((p, "lines"), "required member missing"))
        v2 = v.get("schema", _M)
        if v2 is not _M:
            if not in_enum(v2, K4):
                out.append(((p, "schema"), short(v2) + K3))
        v5 = v.get("id", _M)
        if v5 is not _M:
            if type(v5) not in K6:
                out.append(((p, "id"), K7 + type_name(v5)))
        v8 = v.get("number", _M)
        if v8 is not _M:
            if type(v8) is not str:
                out.append(((p, "number"), K9 + type_name(v8)))
            elif True:
                if type(v8) is str and len(v8) < 1:
                    out.append(((p, "number"), "shorter than 1 character(s)"))
        v10 = v.get("external_refs", _M)
        if v10 is not _M:
            if type(v10) is not dict:
                out.append(((p, "external_refs"), K11 + type_name(v10)))
            elif True:
                for v12, v13 in v10.items():
                    if v12 not in K14:
                        if type(v13) is not str:
                            out.append((((p, "external_refs"), v12), K15 + type_name(v13)))
        v16 = v.get("source", _M)
        if v16 is not _M:
            if v16 is not None:
                if type(v16) is not dict:
                    out.append(((p, "source"), K17 + type_name(v16)))
                elif True:
                    v18 = v16.get("system", _M)
                    if v18 is not _M:
                        if type(v18) not in K19:
                            out.append((((p, "source"), "system"), K20 + type_name(v18)))
                    v21 = v16.get("channel", _M)
                    if v21 is not _M:
                        if v21 is not None:
                            if type(v21) is not dict:
                                out.append((((p, "source"), "channel"), K22 + type_name(v21)))
                            elif True:
                                v23 = v21.get("id", _M)
                                if v23 is not _M:
                                    if type(v23) not in K24:
                                        out.append(((((p, "source"), "channel"), "id"), K25 + type_name(v23)))
                                v26 = v21.get("name", _M)
                                if v26 is not _M:
                                    if type(v26) not in K27:
                                        out.append(((((p, "source"), "channel"), "name"), K28 + type_name(v26)))
                                v29 = v21.get("type", _M)
                                if v29 is not _M:
                                    if type(v29) not in K30:
                                        out.append(((((p, "source"), "channel"), "type"), K31 + type_name(v29)))
                    v32 = v16.get("store", _M)
                    if v32 is not _M:
                        if type(v32) not in K33:
                            out.append((((p, "source"), "store"), K34 + type_name(v32)))
        v35 = v.get("supplier", _M)
        if v35 is not _M:
            if v35 is not None:
                if type(v35) is not dict:
                    out.append(((p, "supplier"), K36 + type_name(v35)))
                elif True:
                    v37 = v35.get("id", _M)
                    if v37 is not _M:
                        if type(v37) not in K38:
                            out.append((((p, "supplier"), "id"), K39 + type_name(v37)))
                    v40 = v35.get("name", _M)
                    if v40 is not _M:
                        if type(v40) not in K41:
                            out.append((((p, "supplier"), "name"), K42 + type_name(v40)))
        v43 = v.get("status", _M)
        if v43 is not _M:
            if not in_enum(v43, K45):
                out.append(((p, "status"), short(v43) + K44))
        v46 = v.get("source_status", _M)
        if v46 is not _M:
            if type(v46) not in K47:
                out.append(((p, "source_status"), K48 + type_name(v46)))
        v49 = v.get("hold", _M)
        if v49 is not _M:
            if v49 is not None:
                if type(v49) is not dict:
                    out.append(((p, "hold"), K50 + type_name(v49)))
                elif True:
                    if "on_hold" not in v49:
                        out.append((((p, "hold"), "on_hold"), "required member missing"))
                    v51 = v49.get("on_hold", _M)
                    if v51 is not _M:
                        if type(v51) is not bool:
                            out.append((((p, "hold"), "on_hold"), K52 + type_name(v51)))
                    v53 = v49.get("reason", _M)
                    if v53 is not _M:
                        if type(v53) not in K54:
                            out.append((((p, "hold"), "reason"), K55 + type_name(v53)))
                    v56 = v49.get("until", _M)
                    if v56 is not _M:
                        if v56 is not None:
                            if type(v56) is not str:
                                out.append((((p, "hold"), "until"), K57 + type_name(v56)))
                            elif True:
                                if type(v56) is str and (not K58(v56) or not date_time_ok(v56)):
                                    out.append((((p, "hold"), "until"), short(v56) + K59))
        v60 = v.get("tags", _M)
        if v60 is not _M:
            if type(v60) is not list:
                out.append(((p, "tags"), K61 + type_name(v60)))
            elif True:
                for v62, v63 in enumerate(v60):
                    if type(v63) is not str:
                        out.append((((p, "tags"), v62), K64 + type_name(v63)))
        v65 = v.get("placed_at", _M)
        if v65 is not _M:
            if v65 is not None:
                if type(v65) is not str:
                    out.append(((p, "placed_at"), K66 + type_name(v65)))
                elif True:
                    if type(v65) is str and (not K67(v65) or not date_time_ok(v65)):
                        out.append(((p, "placed_at"), short(v65) + K68))
        v69 = v.get("created_at", _M)
        if v69 is not _M:
            if v69 is not None:
                if type(v69) is not str:
                    out.append(((p, "created_at"), K70 + type_name(v69)))
                elif True:
                    if type(v69) is str and (not K71(v69) or not date_time_ok(v69)):
                        out.append(((p, "created_at"), short(v69) + K72))
        v73 = v.get("updated_at", _M)
        if v73 is not _M:
            if v73 is not None:
                if type(v73) is not str:
                    out.append(((p, "updated_at"), K74 + type_name(v73)))
                elif True:
                    if type(v73) is str and (not K75(v73) or not date_time_ok(v73)):
                        out.append(((p, "updated_at"), short(v73) + K76))
        v77 = v.get("currency", _M)
        if v77 is not _M:
            if v77 is not None:
                if type(v77) is not str:
                    out.append(((p, "currency"), K78 + type_name(v77)))
                elif True:
                    if type(v77) is str and (not K79(v77)):
                        out.append(((p, "currency"), short(v77) + K80))
        v81 = v.get("po_number", _M)
        if v81 is not _M:
            if type(v81) not in K82:
                out.append(((p, "po_number"), K83 + type_name(v81)))
        v84 = v.get("customer", _M)
        if v84 is not _M:
            if v84 is not None:
                if type(v84) is not dict:
                    out.append(((p, "customer"), K85 + type_name(v84)))
                elif True:
                    v86 = v84.get("id", _M)
                    if v86 is not _M:
                        if type(v86) not in K87:
                            out.append((((p, "customer"), "id"), K88 + type_name(v86)))
                    v89 = v84.get("email", _M)
                    if v89 is not _M:
                        if type(v89) not in K90:
                            out.append((((p, "customer"), "email"), K91 + type_name(v89)))
                    v92 = v84.get("first_name", _M)
                    if v92 is not _M:
                        if type(v92) not in K93:
                            out.append((((p, "customer"), "first_name"), K94 + type_name(v92)))
                    v95 = v84.get("last_name", _M)
                    if v95 is not _M:
                        if type(v95) not in K96:
                            out.append((((p, "customer"), "last_name"), K97 + type_name(v95)))
                    v98 = v84.get("phone", _M)
                    if v98 is not _M:
                        if type(v98) not in K99:
                            out.append((((p, "customer"), "phone"), K100 + type_name(v98)))
                    v101 = v84.get("company", _M)
                    if v101 is not _M:
                        if type(v101) not in K102:
                            out.append((((p, "customer"), "company"), K103 + type_name(v101)))
                    v104 = v84.get("is_guest", _M)
                    if v104 is not _M:
                        if type(v104) not in K105:
                            out.append((((p, "customer"), "is_guest"), K106 + type_name(v104)))
                    v107 = v84.get("group", _M)
                    if v107 is not _M:
                        if type(v107) not in K108:
                            out.append((((p, "customer"), "group"), K109 + type_name(v107)))
        v110 = v.get("billing_address", _M)
        if v110 is not _M:
            if v110 is not None:
                d_address(v110, (p, "billing_address"), out)
        v160 = v.get("shipping_address", _M)
        if v160 is not _M:
            if v160 is not None:
                d_address(v160, (p, "shipping_address"), out)
        v161 = v.get("shipping", _M)
        if v161 is not _M:
            if v161 is not None:
                if type(v161) is not dict:
                    out.append(((p, "shipping"), K162 + type_name(v161)))
                elif True:
                    v163 = v161.get("method_code", _M)
                    if v163 is not _M:
                        if type(v163) not in K164:
                            out.append((((p, "shipping"), "method_code"), K165 + type_name(v163)))
                    v166 = v161.get("method_name", _M)
                    if v166 is not _M:
                        if type(v166) not in K167:
                            out.append((((p, "shipping"), "method_name"), K168 + type_name(v166)))
                    v169 = v161.get("carrier", _M)
                    if v169 is not _M:
                        if type(v169) not in K170:
                            out.append((((p, "shipping"), "carrier"), K171 + type_name(v169)))
                    v172 = v161.get("instructions", _M)
                    if v172 is not _M:
                        if type(v172) not in K173:
                            out.append((((p, "shipping"), "instructions"), K174 + type_name(v172)))
                    v175 = v161.get("deliver_by", _M)
                    if v175 is not _M:
                        if v175 is not None:
                            if type(v175) is not str:
                                out.append((((p, "shipping"), "deliver_by"), K176 + type_name(v175)))
                            elif True:
                                if type(v175) is str and (not K177(v175) or not date_time_ok(v175)):
                                    out.append((((p, "shipping"), "deliver_by"), short(v175) + K178))
                    v179 = v161.get("dispatch_by", _M)
                    if v179 is not _M:
                        if v179 is not None:
                            if type(v179) is not str:
                                out.append((((p, "shipping"), "dispatch_by"), K180 + type_name(v179)))
                            elif True:
                                if type(v179) is str and (not K181(v179) or not date_time_ok(v179)):
                                    out.append((((p, "shipping"), "dispatch_by"), short(v179) + K182))
        v183 = v.get("totals", _M)
        if v183 is not _M:
            if v183 is not None:
                if type(v183) is not dict:
                    out.append(((p, "totals"), K184 + type_name(v183)))
                elif True:
                    v185 = v183.get("subtotal", _M)
                    if v185 is not _M:
                        if v185 is not None:
                            if type(v185) is not str:
                                out.append((((p, "totals"), "subtotal"), K186 + type_name(v185)))
                            elif True:
                                if type(v185) is str and (not K187(v185)):
                                    out.append((((p, "totals"), "subtotal"), short(v185) + K188))
                    v189 = v183.get("discount", _M)
                    if v189 is not _M:
                        if v189 is not None:
                            if type(v189) is not str:
                                out.append((((p, "totals"), "discount"), K190 + type_name(v189)))
                            elif True:
                                if type(v189) is str and (not K191(v189)):
                                    out.append((((p, "totals"), "discount"), short(v189) + K192))
                    v193 = v183.get("shipping", _M)
                    if v193 is not _M:
                        if v193 is not None:
                            if type(v193) is not str:
                                out.append((((p, "totals"), "shipping"), K194 + type_name(v193)))
                            elif True:
                                if type(v193) is str and (not K195(v193)):
                                    out.append((((p, "totals"), "shipping"), short(v193) + K196))
                    v197 = v183.get("tax", _M)
                    if v197 is not _M:
                        if v197 is not None:
                            if type(v197) is not str:
                                out.append((((p, "totals"), "tax"), K198 + type_name(v197)))
                            elif True:
                                if type(v197) is str and (not K199(v197)):
                                    out.append((((p, "totals"), "tax"), short(v197) + K200))
                    v201 = v183.get("grand_total", _M)
                    if v201 is not _M:
                        if v201 is not None:
                            if type(v201) is not str:
                                out.append((((p, "totals"), "grand_total"), K202 + type_name(v201)))
                            elif True:
                                if type(v201) is str and (not K203(v201)):
                                    out.append((((p, "totals"), "grand_total"), short(v201) + K204))
                    v205 = v183.get("prices_include_tax", _M)
                    if v205 is not _M:
                        if type(v205) not in K206:
                            out.append((((p, "totals"), "prices_include_tax"), K207 + type_name(v205)))
        v208 = v.get("discounts", _M)
        if v208 is not _M:
            if type(v208) is not list:
                out.append(((p, "discounts"), K209 + type_name(v208)))
            elif True:
                for v210, v211 in enumerate(v208):
                    if type(v211) is not dict:
                        out.append((((p, "discounts"), v210), K212 + type_name(v211)))
                    elif True:
                        v213 = v211.get("code", _M)
                        if v213 is not _M:
                            if type(v213) not in K214:
                                out.append(((((p, "discounts"), v210), "code"), K215 + type_name(v213)))
                        v216 = v211.get("name", _M)
                        if v216 is not _M:
                            if type(v216) not in K217:
                                out.append(((((p, "discounts"), v210), "name"), K218 + type_name(v216)))
                        v219 = v211.get("amount", _M)
                        if v219 is not _M:
                            if v219 is not None:
                                if type(v219) is not str:
                                    out.append(((((p, "discounts"), v210), "amount"), K220 + type_name(v219)))
                                elif True:
                                    if type(v219) is str and (not K221(v219)):
                                        out.append(((((p, "discounts"), v210), "amount"), short(v219) + K222))
                        v223 = v211.get("line_ids", _M)
                        if v223 is not _M:
                            if type(v223) is not list:
                                out.append(((((p, "discounts"), v210), "line_ids"), K224 + type_name(v223)))
                            elif True:
                                for v225, v226 in enumerate(v223):
                                    if type(v226) is not str:
                                        out.append((((((p, "discounts"), v210), "line_ids"), v225), K227 + type_name(v226)))
        v228 = v.get("lines", _M)
        if v228 is not _M:
            if type(v228) is not list:
                out.append(((p, "lines"), K229 + type_name(v228)))
            elif True:
                for v230, v231 in enumerate(v228):
                    d_line(v231, ((p, "lines"), v230), out)
        v383 = v.get("payments", _M)
        if v383 is not _M:
            if type(v383) is not list:
                out.append(((p, "payments"), K384 + type_name(v383)))
            elif True:
                for v385, v386 in enumerate(v383):
                    d_payment(v386, ((p, "payments"), v385), out)
        v428 = v.get("history", _M)
        if v428 is not _M:
            if type(v428) is not list:
                out.append(((p, "history"), K429 + type_name(v428)))
            elif True:
                for v430, v431 in enumerate(v428):
                    d_history_item(v431, ((p, "history"), v430), out)
        v432 = v.get("approval_history", _M)
        if v432 is not _M:
            if type(v432) is not list:
                out.append(((p, "approval_history"), K433 + type_name(v432)))
            elif True:
                for v434, v435 in enumerate(v432):
                    d_history_item(v435, ((p, "approval_history"), v434), out)
        v436 = v.get("shipments", _M)
        if v436 is not _M:
            if type(v436) is not list:
                out.append(((p, "shipments"), K437 + type_name(v436)))
            elif True:
                for v438, v439 in enumerate(v436):
                    d_shipment(v439, ((p, "shipments"), v438), out)
        v483 = v.get("documents", _M)
        if v483 is not _M:
            if type(v483) is not list:
                out.append(((p, "documents"), K484 + type_name(v483)))
            elif True:
                for v485, v486 in enumerate(v483):
                    d_document(v486, ((p, "documents"), v485), out)
        v487 = v.get("notes", _M)
        if v487 is not _M:
            if v487 is not None:
                if type(v487) is not dict:
                    out.append(((p, "notes"), K488 + type_name(v487)))
                elif True:
                    v489 = v487.get("customer", _M)
                    if v489 is not _M:
                        if type(v489) not in K490:
                            out.append((((p, "notes"), "customer"), K491 + type_name(v489)))
                    v492 = v487.get("internal", _M)
                    if v492 is not _M:
                        if type(v492) is not list:
                            out.append((((p, "notes"), "internal"), K493 + type_name(v492)))
                        elif True:
                            for v494, v495 in enumerate(v492):
                                if type(v495) is not str:
                                    out.append(((((p, "notes"), "internal"), v494), K496 + type_name(v495)))
        v497 = v.get("extra_data", _M)
        if v497 is not _M:
            if type(v497) is not dict:
                out.append(((p, "extra_data"), K498 + type_name(v497)))
            elif True:
                for v499, v500 in v497.items():
                    if v499 not in K501:
                        if type(v500) is not str:
                            out.append((((p, "extra_data"), v499), K502 + type_name(v500)))
        v503 = v.get("sync", _M)
        if v503 is not _M:
            if v503 is not None:
                if type(v503) is not dict:
                    out.append(((p, "sync"), K504 + type_name(v503)))
                elif True:
                    v505 = v503.get("exported", _M)
                    if v505 is not _M:
                        if type(v505) is not bool:
                            out.append((((p, "sync"), "exported"), K506 + type_name(v505)))
                    v507 = v503.get("exported_at", _M)
                    if v507 is not _M:
                        if v507 is not None:
                            if type(v507) is not str:
                                out.append((((p, "sync"), "exported_at"), K508 + type_name(v507)))
                            elif True:
                                if type(v507) is str and (not K509(v507) or not date_time_ok(v507)):
                                    out.append((((p, "sync"), "exported_at"), short(v507) + K510))


def d_address(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K111 + type_name(v)))
    elif True:
        v112 = v.get("first_name", _M)
        if v112 is not _M:
            if type(v112) not in K113:
                out.append(((p, "first_name"), K114 + type_name(v112)))
        v115 = v.get("last_name", _M)
        if v115 is not _M:
            if type(v115) not in K116:
                out.append(((p, "last_name"), K117 + type_name(v115)))
        v118 = v.get("company", _M)
        if v118 is not _M:
            if type(v118) not in K119:
                out.append(((p, "company"), K120 + type_name(v118)))
        v121 = v.get("lines", _M)
        if v121 is not _M:
            if type(v121) is not list:
                out.append(((p, "lines"), K122 + type_name(v121)))
            elif True:
                for v123, v124 in enumerate(v121):
                    if type(v124) is not str:
                        out.append((((p, "lines"), v123), K125 + type_name(v124)))
        v126 = v.get("city", _M)
        if v126 is not _M:
            if type(v126) not in K127:
                out.append(((p, "city"), K128 + type_name(v126)))
        v129 = v.get("region", _M)
        if v129 is not _M:
            if type(v129) not in K130:
                out.append(((p, "region"), K131 + type_name(v129)))
        v132 = v.get("region_code", _M)
        if v132 is not _M:
            if type(v132) not in K133:
                out.append(((p, "region_code"), K134 + type_name(v132)))
        v135 = v.get("district", _M)
        if v135 is not _M:
            if type(v135) not in K136:
                out.append(((p, "district"), K137 + type_name(v135)))
        v138 = v.get("postal_code", _M)
        if v138 is not _M:
            if type(v138) not in K139:
                out.append(((p, "postal_code"), K140 + type_name(v138)))
        v141 = v.get("country_code", _M)
        if v141 is not _M:
            if v141 is not None:
                if type(v141) is not str:
                    out.append(((p, "country_code"), K142 + type_name(v141)))
                elif True:
                    if type(v141) is str and (not K143(v141)):
                        out.append(((p, "country_code"), short(v141) + K144))
        v145 = v.get("email", _M)
        if v145 is not _M:
            if type(v145) not in K146:
                out.append(((p, "email"), K147 + type_name(v145)))
        v148 = v.get("phone", _M)
        if v148 is not _M:
            if type(v148) not in K149:
                out.append(((p, "phone"), K150 + type_name(v148)))
        v151 = v.get("tax_id", _M)
        if v151 is not _M:
            if type(v151) not in K152:
                out.append(((p, "tax_id"), K153 + type_name(v151)))
        v154 = v.get("tax_office", _M)
        if v154 is not _M:
            if type(v154) not in K155:
                out.append(((p, "tax_office"), K156 + type_name(v154)))
        v157 = v.get("identity_number", _M)
        if v157 is not _M:
            if type(v157) not in K158:
                out.append(((p, "identity_number"), K159 + type_name(v157)))


def d_line(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K232 + type_name(v)))
    elif True:
        if "id" not in v:
            out.append(((p, "id"), "required member missing"))
        if "sku" not in v:
            out.append(((p, "sku"), "required member missing"))
        if "quantity" not in v:
            out.append(((p, "quantity"), "required member missing"))
        v233 = v.get("id", _M)
        if v233 is not _M:
            if type(v233) is not str:
                out.append(((p, "id"), K234 + type_name(v233)))
        v235 = v.get("line_number", _M)
        if v235 is not _M:
            if type(v235) not in K236:
                out.append(((p, "line_number"), K237 + type_name(v235)))
            elif True and v235 is not None:
                if type(v235) in (int, float) and v235 < 0:
                    out.append(((p, "line_number"), f"{v235} is below the minimum 0"))
        v238 = v.get("external_refs", _M)
        if v238 is not _M:
            if type(v238) is not dict:
                out.append(((p, "external_refs"), K239 + type_name(v238)))
            elif True:
                for v240, v241 in v238.items():
                    if v240 not in K242:
                        if type(v241) is not str:
                            out.append((((p, "external_refs"), v240), K243 + type_name(v241)))
        v244 = v.get("sku", _M)
        if v244 is not _M:
            if type(v244) is not str:
                out.append(((p, "sku"), K245 + type_name(v244)))
        v246 = v.get("product_ref", _M)
        if v246 is not _M:
            if type(v246) not in K247:
                out.append(((p, "product_ref"), K248 + type_name(v246)))
        v249 = v.get("name", _M)
        if v249 is not _M:
            if type(v249) not in K250:
                out.append(((p, "name"), K251 + type_name(v249)))
        v252 = v.get("description", _M)
        if v252 is not _M:
            if type(v252) not in K253:
                out.append(((p, "description"), K254 + type_name(v252)))
        v255 = v.get("quantity", _M)
        if v255 is not _M:
            if type(v255) is not int:
                out.append(((p, "quantity"), K256 + type_name(v255)))
            elif True:
                if type(v255) in (int, float) and v255 < 0:
                    out.append(((p, "quantity"), f"{v255} is below the minimum 0"))
        v257 = v.get("quantity_shipped", _M)
        if v257 is not _M:
            if type(v257) not in K258:
                out.append(((p, "quantity_shipped"), K259 + type_name(v257)))
            elif True and v257 is not None:
                if type(v257) in (int, float) and v257 < 0:
                    out.append(((p, "quantity_shipped"), f"{v257} is below the minimum 0"))
        v260 = v.get("status", _M)
        if v260 is not _M:
            if type(v260) not in K261:
                out.append(((p, "status"), K262 + type_name(v260)))
        v263 = v.get("source_status", _M)
        if v263 is not _M:
            if type(v263) not in K264:
                out.append(((p, "source_status"), K265 + type_name(v263)))
        v266 = v.get("unit_price", _M)
        if v266 is not _M:
            if v266 is not None:
                if type(v266) is not str:
                    out.append(((p, "unit_price"), K267 + type_name(v266)))
                elif True:
                    if type(v266) is str and (not K268(v266)):
                        out.append(((p, "unit_price"), short(v266) + K269))
        v270 = v.get("unit_price_incl_tax", _M)
        if v270 is not _M:
            if v270 is not None:
                if type(v270) is not str:
                    out.append(((p, "unit_price_incl_tax"), K271 + type_name(v270)))
                elif True:
                    if type(v270) is str and (not K272(v270)):
                        out.append(((p, "unit_price_incl_tax"), short(v270) + K273))
        v274 = v.get("tax_rate", _M)
        if v274 is not _M:
            if v274 is not None:
                if type(v274) is not str:
                    out.append(((p, "tax_rate"), K275 + type_name(v274)))
                elif True:
                    if type(v274) is str and (not K276(v274)):
                        out.append(((p, "tax_rate"), short(v274) + K277))
        v278 = v.get("tax_amount", _M)
        if v278 is not _M:
            if v278 is not None:
                if type(v278) is not str:
                    out.append(((p, "tax_amount"), K279 + type_name(v278)))
                elif True:
                    if type(v278) is str and (not K280(v278)):
                        out.append(((p, "tax_amount"), short(v278) + K281))
        v282 = v.get("discount_amount", _M)
        if v282 is not _M:
            if v282 is not None:
                if type(v282) is not str:
                    out.append(((p, "discount_amount"), K283 + type_name(v282)))
                elif True:
                    if type(v282) is str and (not K284(v282)):
                        out.append(((p, "discount_amount"), short(v282) + K285))
        v286 = v.get("row_total", _M)
        if v286 is not _M:
            if v286 is not None:
                if type(v286) is not str:
                    out.append(((p, "row_total"), K287 + type_name(v286)))
                elif True:
                    if type(v286) is str and (not K288(v286)):
                        out.append(((p, "row_total"), short(v286) + K289))
        v290 = v.get("row_total_incl_tax", _M)
        if v290 is not _M:
            if v290 is not None:
                if type(v290) is not str:
                    out.append(((p, "row_total_incl_tax"), K291 + type_name(v290)))
                elif True:
                    if type(v290) is str and (not K292(v290)):
                        out.append(((p, "row_total_incl_tax"), short(v290) + K293))
        v294 = v.get("attributes", _M)
        if v294 is not _M:
            if type(v294) is not list:
                out.append(((p, "attributes"), K295 + type_name(v294)))
            elif True:
                for v296, v297 in enumerate(v294):
                    d_attribute(v297, ((p, "attributes"), v296), out)
        v304 = v.get("attribute_summary", _M)
        if v304 is not _M:
            if type(v304) not in K305:
                out.append(((p, "attribute_summary"), K306 + type_name(v304)))
        v307 = v.get("delivery_type", _M)
        if v307 is not _M:
            if type(v307) not in K308:
                out.append(((p, "delivery_type"), K309 + type_name(v307)))
        v310 = v.get("print", _M)
        if v310 is not _M:
            if v310 is not None:
                if type(v310) is not dict:
                    out.append(((p, "print"), K311 + type_name(v310)))
                elif True:
                    v312 = v310.get("pages", _M)
                    if v312 is not _M:
                        if type(v312) not in K313:
                            out.append((((p, "print"), "pages"), K314 + type_name(v312)))
                        elif True and v312 is not None:
                            if type(v312) in (int, float) and v312 < 0:
                                out.append((((p, "print"), "pages"), f"{v312} is below the minimum 0"))
                    v315 = v310.get("width_mm", _M)
                    if v315 is not _M:
                        if v315 is not None:
                            if type(v315) is not str:
                                out.append((((p, "print"), "width_mm"), K316 + type_name(v315)))
                            elif True:
                                if type(v315) is str and (not K317(v315)):
                                    out.append((((p, "print"), "width_mm"), short(v315) + K318))
                    v319 = v310.get("height_mm", _M)
                    if v319 is not _M:
                        if v319 is not None:
                            if type(v319) is not str:
                                out.append((((p, "print"), "height_mm"), K320 + type_name(v319)))
                            elif True:
                                if type(v319) is str and (not K321(v319)):
                                    out.append((((p, "print"), "height_mm"), short(v319) + K322))
        v323 = v.get("assets", _M)
        if v323 is not _M:
            if type(v323) is not list:
                out.append(((p, "assets"), K324 + type_name(v323)))
            elif True:
                for v325, v326 in enumerate(v323):
                    d_asset(v326, ((p, "assets"), v325), out)
        v341 = v.get("documents", _M)
        if v341 is not _M:
            if type(v341) is not list:
                out.append(((p, "documents"), K342 + type_name(v341)))
            elif True:
                for v343, v344 in enumerate(v341):
                    d_document(v344, ((p, "documents"), v343), out)
        v350 = v.get("extra_data", _M)
        if v350 is not _M:
            if type(v350) is not dict:
                out.append(((p, "extra_data"), K351 + type_name(v350)))
            elif True:
                for v352, v353 in v350.items():
                    if v352 not in K354:
                        if type(v353) is not str:
                            out.append((((p, "extra_data"), v352), K355 + type_name(v353)))
        v356 = v.get("history", _M)
        if v356 is not _M:
            if type(v356) is not list:
                out.append(((p, "history"), K357 + type_name(v356)))
            elif True:
                for v358, v359 in enumerate(v356):
                    d_history_item(v359, ((p, "history"), v358), out)
        v376 = v.get("approval_history", _M)
        if v376 is not _M:
            if type(v376) is not list:
                out.append(((p, "approval_history"), K377 + type_name(v376)))
            elif True:
                for v378, v379 in enumerate(v376):
                    d_history_item(v379, ((p, "approval_history"), v378), out)
        v380 = v.get("supplier", _M)
        if v380 is not _M:
            if type(v380) not in K381:
                out.append(((p, "supplier"), K382 + type_name(v380)))


def d_attribute(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K298 + type_name(v)))
    elif True:
        if "name" not in v:
            out.append(((p, "name"), "required member missing"))
        v299 = v.get("name", _M)
        if v299 is not _M:
            if type(v299) is not str:
                out.append(((p, "name"), K300 + type_name(v299)))
        v301 = v.get("value", _M)
        if v301 is not _M:
            if type(v301) not in K302:
                out.append(((p, "value"), K303 + type_name(v301)))


def d_asset(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K327 + type_name(v)))
    elif True:
        if "role" not in v:
            out.append(((p, "role"), "required member missing"))
        if "url" not in v:
            out.append(((p, "url"), "required member missing"))
        v328 = v.get("role", _M)
        if v328 is not _M:
            if type(v328) is not str:
                out.append(((p, "role"), K329 + type_name(v328)))
        v330 = v.get("area", _M)
        if v330 is not _M:
            if type(v330) not in K331:
                out.append(((p, "area"), K332 + type_name(v330)))
        v333 = v.get("url", _M)
        if v333 is not _M:
            if type(v333) is not str:
                out.append(((p, "url"), K334 + type_name(v333)))
        v335 = v.get("content_type", _M)
        if v335 is not _M:
            if type(v335) not in K336:
                out.append(((p, "content_type"), K337 + type_name(v335)))
        v338 = v.get("hash", _M)
        if v338 is not _M:
            if type(v338) not in K339:
                out.append(((p, "hash"), K340 + type_name(v338)))


def d_document(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K345 + type_name(v)))
    elif True:
        if "type" not in v:
            out.append(((p, "type"), "required member missing"))
        if "url" not in v:
            out.append(((p, "url"), "required member missing"))
        v346 = v.get("type", _M)
        if v346 is not _M:
            if type(v346) is not str:
                out.append(((p, "type"), K347 + type_name(v346)))
        v348 = v.get("url", _M)
        if v348 is not _M:
            if type(v348) is not str:
                out.append(((p, "url"), K349 + type_name(v348)))


def d_history_item(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K360 + type_name(v)))
    elif True:
        if "at" not in v:
            out.append(((p, "at"), "required member missing"))
        if "status" not in v:
            out.append(((p, "status"), "required member missing"))
        v361 = v.get("at", _M)
        if v361 is not _M:
            if type(v361) is not str:
                out.append(((p, "at"), K362 + type_name(v361)))
            elif True:
                if type(v361) is str and (not K363(v361) or not date_time_ok(v361)):
                    out.append(((p, "at"), short(v361) + K364))
        v365 = v.get("status", _M)
        if v365 is not _M:
            if type(v365) is not str:
                out.append(((p, "status"), K366 + type_name(v365)))
        v367 = v.get("status_id", _M)
        if v367 is not _M:
            if type(v367) not in K368:
                out.append(((p, "status_id"), K369 + type_name(v367)))
        v370 = v.get("actor_id", _M)
        if v370 is not _M:
            if type(v370) not in K371:
                out.append(((p, "actor_id"), K372 + type_name(v370)))
        v373 = v.get("info", _M)
        if v373 is not _M:
            if type(v373) not in K374:
                out.append(((p, "info"), K375 + type_name(v373)))


def d_payment(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K387 + type_name(v)))
    elif True:
        v388 = v.get("method", _M)
        if v388 is not _M:
            if type(v388) not in K389:
                out.append(((p, "method"), K390 + type_name(v388)))
        v391 = v.get("transaction_id", _M)
        if v391 is not _M:
            if type(v391) not in K392:
                out.append(((p, "transaction_id"), K393 + type_name(v391)))
        v394 = v.get("capture_transaction_id", _M)
        if v394 is not _M:
            if type(v394) not in K395:
                out.append(((p, "capture_transaction_id"), K396 + type_name(v394)))
        v397 = v.get("authorization_request_id", _M)
        if v397 is not _M:
            if type(v397) not in K398:
                out.append(((p, "authorization_request_id"), K399 + type_name(v397)))
        v400 = v.get("capture_request_id", _M)
        if v400 is not _M:
            if type(v400) not in K401:
                out.append(((p, "capture_request_id"), K402 + type_name(v400)))
        v403 = v.get("platform_transaction_id", _M)
        if v403 is not _M:
            if type(v403) not in K404:
                out.append(((p, "platform_transaction_id"), K405 + type_name(v403)))
        v406 = v.get("purchase_order_number", _M)
        if v406 is not _M:
            if type(v406) not in K407:
                out.append(((p, "purchase_order_number"), K408 + type_name(v406)))
        v409 = v.get("currency", _M)
        if v409 is not _M:
            if v409 is not None:
                if type(v409) is not str:
                    out.append(((p, "currency"), K410 + type_name(v409)))
                elif True:
                    if type(v409) is str and (not K411(v409)):
                        out.append(((p, "currency"), short(v409) + K412))
        v413 = v.get("amount", _M)
        if v413 is not _M:
            if v413 is not None:
                if type(v413) is not str:
                    out.append(((p, "amount"), K414 + type_name(v413)))
                elif True:
                    if type(v413) is str and (not K415(v413)):
                        out.append(((p, "amount"), short(v413) + K416))
        v417 = v.get("authorization_expires_at", _M)
        if v417 is not _M:
            if v417 is not None:
                if type(v417) is not str:
                    out.append(((p, "authorization_expires_at"), K418 + type_name(v417)))
                elif True:
                    if type(v417) is str and (not K419(v417) or not date_time_ok(v417)):
                        out.append(((p, "authorization_expires_at"), short(v417) + K420))
        v421 = v.get("transacted_at", _M)
        if v421 is not _M:
            if v421 is not None:
                if type(v421) is not str:
                    out.append(((p, "transacted_at"), K422 + type_name(v421)))
                elif True:
                    if type(v421) is str and (not K423(v421) or not date_time_ok(v421)):
                        out.append(((p, "transacted_at"), short(v421) + K424))
        v425 = v.get("status", _M)
        if v425 is not _M:
            if type(v425) not in K426:
                out.append(((p, "status"), K427 + type_name(v425)))


def d_shipment(v: Any, p: Any, out: list[Any]) -> None:
    if type(v) is not dict:
        out.append((p, K440 + type_name(v)))
    elif True:
        v441 = v.get("id", _M)
        if v441 is not _M:
            if type(v441) not in K442:
                out.append(((p, "id"), K443 + type_name(v441)))
        v444 = v.get("status", _M)
        if v444 is not _M:
            if type(v444) not in K445:
                out.append(((p, "status"), K446 + type_name(v444)))
        v447 = v.get("carrier", _M)
        if v447 is not _M:
            if type(v447) not in K448:
                out.append(((p, "carrier"), K449 + type_name(v447)))
        v450 = v.get("service", _M)
        if v450 is not _M:
            if type(v450) not in K451:
                out.append(((p, "service"), K452 + type_name(v450)))
        v453 = v.get("method_code", _M)
        if v453 is not _M:
            if type(v453) not in K454:
                out.append(((p, "method_code"), K455 + type_name(v453)))
        v456 = v.get("shipped_at", _M)
        if v456 is not _M:
            if v456 is not None:
                if type(v456) is not str:
                    out.append(((p, "shipped_at"), K457 + type_name(v456)))
                elif True:
                    if type(v456) is str and (not K458(v456) or not date_time_ok(v456)):
                        out.append(((p, "shipped_at"), short(v456) + K459))
        v460 = v.get("tracking", _M)
        if v460 is not _M:
            if type(v460) is not list:
                out.append(((p, "tracking"), K461 + type_name(v460)))
            elif True:
                for v462, v463 in enumerate(v460):
                    if type(v463) is not dict:
                        out.append((((p, "tracking"), v462), K464 + type_name(v463)))
                    elif True:
                        if "code" not in v463:
                            out.append(((((p, "tracking"), v462), "code"), "required member missing"))
                        v465 = v463.get("code", _M)
                        if v465 is not _M:
                            if type(v465) is not str:
                                out.append(((((p, "tracking"), v462), "code"), K466 + type_name(v465)))
                        v467 = v463.get("url", _M)
                        if v467 is not _M:
                            if type(v467) not in K468:
                                out.append(((((p, "tracking"), v462), "url"), K469 + type_name(v467)))
        v470 = v.get("lines", _M)
        if v470 is not _M:
            if type(v470) is not list:
                out.append(((p, "lines"), K471 + type_name(v470)))
            elif True:
                for v472, v473 in enumerate(v470):
                    if type(v473) is not dict:
                        out.append((((p, "lines"), v472), K474 + type_name(v473)))
                    elif True:
                        if "line_id" not in v473:
                            out.append(((((p, "lines"), v472), "line_id"), "required member missing"))
                        if "quantity" not in v473:
                            out.append(((((p, "lines"), v472), "quantity"), "required member missing"))
                        v475 = v473.get("line_id", _M)
                        if v475 is not _M:
                            if type(v475) is not str:
                                out.append(((((p, "lines"), v472), "line_id"), K476 + type_name(v475)))
                        v477 = v473.get("quantity", _M)
                        if v477 is not _M:
                            if type(v477) is not int:
                                out.append(((((p, "lines"), v472), "quantity"), K478 + type_name(v477)))
                            elif True:
                                if type(v477) in (int, float) and v477 < 0:
                                    out.append(((((p, "lines"), v472), "quantity"), f"{v477} is below the minimum 0"))
        v479 = v.get("documents", _M)
        if v479 is not _M:
            if type(v479) is not list:
                out.append(((p, "documents"), K480 + type_name(v479)))
            elif True:
                for v481, v482 in enumerate(v479):
                    d_document(v482, ((p, "documents"), v481), out)
