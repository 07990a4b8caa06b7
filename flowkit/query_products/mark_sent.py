"""The core of ``query-products mark-sent``: deliver results -> each product's export status.

For each ``result`` record of a known product: ``delivered`` (and ``duplicate``,
the same payload delivered before) marks it exported, with the date and the
fingerprint of the version that went out (``meta.product_hash``, which the
record carries from query-products through render and deliver). A product
that changed while that version was on its way is exported as of that version
and stays pending, so the next run sends the change as an update. ``failed``,
``dead`` and an ``error`` record for the product mark it failed with the
reason (one more attempt counted): the next ``--changed`` run sends it again.
``unknown`` and ``skipped`` leave it as it is. Records that are not about a
known product pass through.

``MarkSent`` is a ``pipeline.Window``: the changes of up to 100 results (and
their events) are one transaction, committed before those results are
written on; the products' states are read in one query per window.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from flowkit.records import BadLine, Record
from flowkit.secrets import scrub
from flowkit.store import Store, products

COMMAND = "query-products mark-sent"
CONSUMES = ("result", "error")


@dataclass
class MarkSent:
    store: Store
    counts: dict[str, int] = field(
        default_factory=lambda: {"delivered": 0, "duplicates": 0, "failed": 0, "skipped": 0, "not_products": 0}
    )
    lookahead = 100
    commit_every = 100
    _tx: AbstractContextManager[Any] | None = field(default=None, init=False, repr=False)
    _known: dict[str, products.Known] = field(default_factory=dict, init=False, repr=False)

    def prepare(self, items: list[Record | BadLine]) -> None:
        """Open the window's transaction (once) and read its products' states in one query."""
        if self._tx is None:
            self._tx = self.store.transaction()
            self._tx.__enter__()
        keys = [str(i["key"]) for i in items if isinstance(i, dict) and i.get("kind") in CONSUMES]
        self._known.update(products.known(self.store, keys))

    def commit(self) -> None:
        """Commit the window's changes: only then are its results written on."""
        tx, self._tx = self._tx, None
        self._known = {}
        if tx is not None:
            tx.__exit__(None, None, None)

    def process(self, record: Record) -> Iterator[Record]:
        sku = record["key"]
        known = self._known.get(sku)
        if known is None:
            self.counts["not_products"] += 1
            yield record
            return
        body: dict[str, Any] = record["body"] if isinstance(record.get("body"), dict) else {}
        meta: dict[str, Any] = record.get("meta") or {}
        status = "failed" if record["kind"] == "error" else str(body.get("status", ""))
        keep = ("destination", "remote_ref", "attempts", "error", "exit_code")
        detail = scrub({k: body.get(k) for k in keep if body.get(k)})  # the story keeps no secret a message carried
        new = self.apply(sku, status, known, detail, str(meta.get("product_hash") or known.content_hash))
        self._known[sku] = known._replace(export_status=new)  # a second result for it in this window sees this one
        yield {**record, "meta": {**meta, "export_status": new}}

    def apply(self, sku: str, status: str, known: products.Known, detail: dict[str, Any], sent_hash: str) -> str:
        """Move the product along its lifecycle for one result (in the window's transaction); its status after."""
        if status in ("delivered", "duplicate"):
            self.counts["delivered" if status == "delivered" else "duplicates"] += 1
            current = sent_hash == known.content_hash
            return products.exported(self.store, sku, command=COMMAND, exported_hash=sent_hash, current=current, detail=detail)
        if status in ("failed", "dead") and known.export_status != "exported":
            self.counts["failed"] += 1
            code = f" (exit {detail['exit_code']})" if detail.get("exit_code") else ""
            products.failed(self.store, sku, command=COMMAND, reason=f"{detail.get('error') or status}{code}", detail=detail)
            return "failed"
        # a later failure at another destination of an exported product, unknown, skipped: told, not changed
        self.counts["skipped"] += 1
        self.store.add_event(self.store.conn, sku, COMMAND, f"result-{status or 'missing'}", detail)
        return known.export_status
