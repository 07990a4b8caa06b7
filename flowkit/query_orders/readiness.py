"""The readiness gate of ``query-orders --ready paid,files``: an order is emitted only once it is ready.

``paid``: the order's payments say it is paid (``unpaid`` below). ``files``:
every asset of every line (``lines[].assets[].url``) exists: an http(s) URL
answers 2xx to ``HEAD`` (a ranged ``GET`` when ``HEAD`` is refused with 403,
405 or 501), a ``file://`` URL or a local path names a regular file that is not
empty. An order not ready is neither emitted nor queued: ``core.Run.handle``
leaves it pending, says why on stderr (``not-ready``), and a later run emits it
once it is ready.

The checks of a batch's orders run before the batch's transaction opens, at
most ``WORKERS`` at a time, each worker keeping its HTTP connections for the run (TLS
verified, ``TIMEOUT`` seconds each, none of the config's credentials or headers sent);
the records keep their source order. Nothing is retried within a run: a host
that cannot be reached, a timeout or a 5xx is a reason like a 404, and the next
run checks again. Shown URLs keep neither credentials nor query strings.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote, urlsplit

from flowkit.config import Config
from flowkit.errors import ConfigError, TempFailError, UsageError
from flowkit.log import emit
from flowkit.reasons import words
from flowkit.secrets import redact_text
from flowkit.sources import Query
from flowkit.store import Store, exports, pauses

CHECKS = ("paid", "files")
WORKERS = 4  # asset checks at once
TIMEOUT = 10.0  # seconds per asset request
FALLBACK = frozenset({403, 405, 501})  # HEAD refused (a presigned GET URL answers HEAD with 403): ask a ranged GET
# Payment statuses that mean paid (lower case, letters only: Infigo's PartiallyRefunded is "partiallyrefunded").
PAID = frozenset({"paid", "captured", "settled", "complete", "completed", "succeeded", "success", "partiallyrefunded"})
# Without any payment status, the order's own status decides: these come after payment in the canonical lifecycle.
PAID_ORDER = frozenset({"approved", "in_production", "printed", "partially_shipped", "shipped", "delivered"})
NEVER_AGAIN = frozenset({"exported", "dead", "cancelled"})  # export statuses --unsent never emits again

Excluded = Callable[[dict[str, Any], Query], str | None]


def parse(text: str | None) -> tuple[str, ...]:
    """``paid,files`` -> ("paid", "files"); ``none`` or nothing -> (); ValueError naming an unknown word."""
    given = [w.strip().lower() for w in (text or "").split(",") if w.strip()]
    unknown = [w for w in given if w not in (*CHECKS, "none")]
    if unknown:
        raise ValueError(f"unknown readiness check {unknown[0]!r} (known: paid, files, none)")
    return tuple(c for c in CHECKS if c in given)


def checks_for(flag: str | None, *, from_config: bool, config: Config, source: str) -> tuple[str, ...]:
    """The checks of a run over ``source``: ``--ready`` as given, else ``[sources.NAME] ready``, else ``[query-orders] ready``.

    ``from_config``: ``flag`` is ``[query-orders] ready`` (or unset), not the command line or
    the environment. A bad word is a usage error on the command line, a config error (78) in the file.
    """
    table = config.section("sources").get(source)
    keys: tuple[str, ...] = ("query-orders", "ready")
    if from_config and isinstance(table, dict) and "ready" in table:
        flag, keys = str(table["ready"]), ("sources", source, "ready")
    try:
        return parse(flag)
    except ValueError as exc:
        if not from_config:
            raise UsageError(f"--ready: {exc}") from None
        raise ConfigError(f"{config.where(*keys)}: '{'.'.join(keys)}': {exc}") from None


def unpaid(order: dict[str, Any]) -> str | None:
    """Why ``order`` is not paid, or None when it is.

    Every payment that carries a status must say paid (``PAID``); with no payment
    status at all, the order's status must be one that comes after payment (``PAID_ORDER``).
    """
    said = [str(p["status"]) for p in order.get("payments") or [] if isinstance(p, dict) and p.get("status")]
    if said:
        owed = [s for s in said if "".join(c for c in s.lower() if c.isalpha()) not in PAID]
        return f"not paid (payment status {owed[0]})" if owed else None
    status = order.get("status")
    return None if status in PAID_ORDER else f"not paid (no payment status; order status {status})"


def shown(url: str) -> str:
    """``url`` as a message may show it: no user name or password, no query string, known secrets masked."""
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.hostname:
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        try:
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            port = ""
        url = f"{parts.scheme}://{host}{port}{parts.path}" + ("?..." if parts.query else "")
    return redact_text(url)


class Gate:
    """The readiness checks of one run: ``prepare`` each batch, then ``holds`` each order about to be emitted."""

    def __init__(self, checks: Sequence[str], *, timeout: float = TIMEOUT, workers: int = WORKERS) -> None:
        self.checks = tuple(checks)
        self.timeout = timeout
        self.workers = workers
        self._reasons: dict[str, str | None] = {}  # order number -> why not ready (this batch)
        self._assets: dict[str, str | None] = {}  # asset url -> what is wrong with it (this batch)
        self._pool: ThreadPoolExecutor | None = None
        self._local = threading.local()  # each checking thread's own client (see ``_http_client``)
        self._clients: list[Any] = []
        self._lock = threading.Lock()

    def prepare(self, items: Iterable[Any], query: Query, store: Store, excluded: Excluded) -> None:
        """Check the batch's orders that may be emitted (``excluded``: the query's filters), all assets at once."""
        self._reasons, self._assets = {}, {}
        found = [o for o in (getattr(i, "order", None) for i in items) if isinstance(o, dict) and o.get("number")]
        found = [o for o in found if excluded(o, query) is None and o.get("status") != "cancelled"]
        if query.unsent:
            found = [o for o in found if not (o.get("hold") or {}).get("on_hold") and not (o.get("sync") or {}).get("exported")]
            known = exports.statuses(store, [str(o["number"]) for o in found])
            found = [o for o in found if known.get(str(o["number"]), ("pending", 0))[0] not in NEVER_AGAIN]
        self._check(found)

    def reason(self, order: dict[str, Any]) -> str | None:
        """Why ``order`` is not ready (None when it is); an order ``prepare`` did not see is checked now."""
        number = str(order["number"])
        if number not in self._reasons:
            self._check([order])
        return self._reasons[number]

    def holds(self, order: dict[str, Any], counts: dict[str, int], store: Store) -> bool:
        """Whether ``order`` is held back as not ready; if so, one stderr line says why, ``not_ready`` counts it
        and its story gets a ``not-ready`` event (one until the reason changes)."""
        why = self.reason(order)
        if why is None:
            return False
        number = str(order["number"])
        counts["not_ready"] = counts.get("not_ready", 0) + 1
        emit(f"flowkit: order {number} not ready: {why}", event="not-ready", level="warning", key=number)
        pauses.note_held_back(store, number, "query-orders", "not-ready", why)
        return True

    def finish(self, query: Query, counts: dict[str, int]) -> None:
        """After the loop: --number N of an order held back as not ready is exit 75 (try again later), not 65."""
        if query.number is None or query.unsent or counts.get("emitted") or not counts.get("not_ready"):
            return
        why = self._reasons.get(str(query.number))
        if why is not None:
            raise TempFailError(f"order {query.number} not emitted: not ready: {why}")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for client in self._clients:
            client.close()
        self._clients = []
        self._local = threading.local()

    def _check(self, orders: list[dict[str, Any]]) -> None:
        waiting = []
        for order in orders:
            why = unpaid(order) if "paid" in self.checks else None
            self._reasons[str(order["number"])] = why
            if why is None and "files" in self.checks:
                waiting.append(order)
        urls = list(dict.fromkeys(u for o in waiting for _, u in _assets(o) if u and u not in self._assets))
        if len(urls) > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="query-orders-ready")
            self._assets.update(zip(urls, self._pool.map(self._asset, urls), strict=True))
        else:
            self._assets.update((u, self._asset(u)) for u in urls)
        for order in waiting:
            self._reasons[str(order["number"])] = self._missing(order)

    def _missing(self, order: dict[str, Any]) -> str | None:
        """The first asset of ``order`` not there, in line order, and how many more are not."""
        problems = [(line, url, self._assets[url] if url else "has no url") for line, url in _assets(order)]
        problems = [p for p in problems if p[2] is not None]
        if not problems:
            return None
        line, url, what = problems[0]
        more = f" (and {len(problems) - 1} more asset(s) not ready)" if len(problems) > 1 else ""
        return f"line {line} asset {shown(url) + ' ' if url else ''}{what}{more}"

    def _asset(self, url: str) -> str | None:
        """What is wrong with the asset at ``url`` (None: it is there)."""
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("http", "https"):
            return self._http(url)
        if scheme == "file":
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                return f"is on another host ({parts.netloc}): a file URL is checked on this machine only"
            return _file(unquote(parts.path))
        if len(scheme) > 1:  # not a drive letter
            return f"cannot be checked (a {scheme} URL; http, https, file or a path can)"
        return _file(url)

    def _http(self, url: str) -> str | None:
        import httpx

        client = self._http_client()
        try:
            response = client.head(url)
            status = response.status_code
            if status in FALLBACK:
                with client.stream("GET", url, headers={"Range": "bytes=0-0"}) as answer:
                    status = answer.status_code
        except httpx.TimeoutException:
            return f"unreachable: timed out after {self.timeout:g} s"
        except httpx.TooManyRedirects:
            return "unreachable: too many redirects"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            said = words(exc, self.timeout) or type(exc).__name__
            return f"unreachable: {said}"
        return None if 200 <= status < 300 else f"answered {status}"

    def _http_client(self) -> Any:
        """This thread's client, kept for the run: its connections are reused from batch to batch.

        One client per checking thread, not one shared by them: httpcore's pool (1.0.9)
        can drop, unclosed, a connection that several threads race for.
        """
        client = getattr(self._local, "client", None)
        if client is None:
            import httpx

            client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=True,  # no credentials or configured headers are sent, so any origin may answer
                max_redirects=5,
                headers={"User-Agent": "flowkit-query-orders"},
            )
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client


def _assets(order: dict[str, Any]) -> list[tuple[Any, str]]:
    """(line number, asset url) of every asset of every line, in line order."""
    found = []
    for index, line in enumerate(order.get("lines") or [], 1):
        if not isinstance(line, dict):
            continue
        for asset in line.get("assets") or []:
            if isinstance(asset, dict):
                found.append((line.get("line_number") or index, str(asset.get("url") or "")))
    return found


def _file(path: str) -> str | None:
    """What is wrong with the local file at ``path`` (relative to the current directory), None when it is there."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return words(exc) or exc.strerror or type(exc).__name__
    if not stat.S_ISREG(info.st_mode):
        return "is not a file"
    return "is empty" if info.st_size == 0 else None
