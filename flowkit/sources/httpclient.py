"""A small JSON-over-HTTP client for sources: auth, rate limit, retries with backoff and jitter.

httpx is imported when a client is built, never at module import. Errors map
to exit codes: 401/403 and other refusing 4xx -> 69; a host that cannot be
reached (refused, timed out, no such host), 5xx and 429 -> 75 after the
retries, the cause in words, as for a destination (``flowkit.reasons``);
a body that is not JSON -> 65, always naming the URL (never a secret: every
message goes through ``flowkit.secrets.redact_text``).

Credentials and configured headers never go to another origin: a redirect is
followed only within the origin (scheme, host, port) of the request (a GET,
or a 307/308 keeping its method), a redirect or a ``next`` link to another
origin is refused (69) naming both origins, before anything is sent there.
"""

from __future__ import annotations

import random
import time
from typing import Any

from flowkit.config import resolve_secret
from flowkit.errors import ConfigError, InputError, TempFailError, UnavailableError
from flowkit.log import LOG as log
from flowkit.reasons import words
from flowkit.secrets import SECRET_KEY, follow, origin, redact_text, remember, remember_basic, remember_url

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class HttpRefusedError(UnavailableError):
    """The server answered 4xx; ``http_status`` says which."""

    http_status: int = 0


def auth_headers(spec: dict[str, Any], where: str) -> tuple[dict[str, str], tuple[str, str] | None]:
    """(headers, basic auth pair) for ``auth`` = none | token | bearer | basic."""
    kind = str(spec.get("auth", "none"))
    headers = {str(k): str(resolve_secret(v, where=where)) for k, v in (spec.get("headers") or {}).items()}
    for name, value in headers.items():
        if SECRET_KEY.search(name) or name.lower() in ("authorization", "cookie"):
            remember(value)
    if kind == "none":
        return headers, None
    if kind in ("token", "bearer"):
        if not spec.get("token"):
            raise ConfigError(f"{where}: auth = {kind!r} needs 'token' (e.g. \"${{SHOP_TOKEN}}\")")
        token = str(resolve_secret(spec["token"], where=where))
        remember(token)
        scheme = str(spec.get("token_scheme", "Token" if kind == "token" else "Bearer"))
        headers["Authorization"] = f"{scheme} {token}"
        return headers, None
    if kind == "basic":
        if not spec.get("username"):
            raise ConfigError(f"{where}: auth = 'basic' needs 'username' and 'password'")
        pair = (str(resolve_secret(spec["username"], where=where)), str(resolve_secret(spec.get("password", ""), where=where)))
        remember_basic(*pair)
        return headers, pair
    raise ConfigError(f"{where}: auth must be none, token, bearer or basic")


class JsonClient:
    """GET/PATCH/POST JSON with one connection pool per batch."""

    def __init__(self, spec: dict[str, Any], where: str) -> None:
        import httpx

        headers, basic = auth_headers(spec, where)
        headers.setdefault("Accept", "application/json")
        self.retries = int(spec.get("retries", 3))
        self.backoff = float(spec.get("backoff", 0.5))
        self.timeout = float(spec.get("timeout", 30))
        rate = float(spec.get("rate_limit", 0) or 0)
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._last = 0.0
        remember_url(str(spec["base_url"]))
        self.origin = origin(spec["base_url"])
        self.client = httpx.Client(
            base_url=str(spec["base_url"]),
            headers=headers,
            auth=basic,
            timeout=self.timeout,
            verify=bool(spec.get("verify", True)),
            follow_redirects=False,  # followed by ``request``, within the origin only
        )

    def close(self) -> None:
        self.client.close()

    def _pace(self) -> None:
        if self.interval:
            wait = self._last + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2**attempt) * (0.5 + random.random())
        if retry_after and retry_after.isdigit():
            delay = max(delay, min(float(retry_after), 60.0))
        time.sleep(delay)

    def request(self, method: str, url: str, *, params: Any = None, json: Any = None) -> tuple[Any, Any]:
        """(parsed JSON or None, response); raises the flowkit error for the failure."""
        import httpx

        problem = ""
        retry_after: str | None = None
        if "://" in url and origin(url) != self.origin:
            raise self._refuse(self.origin, origin(url), 0)
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(attempt - 1, retry_after)
            self._pace()
            response = None
            retry_after = None
            try:
                response = follow(self.client, self.client.request(method, url, params=params, json=json), self._refuse)
            except httpx.TimeoutException:
                problem = "timed out"
            except httpx.TransportError as exc:
                said = words(exc)
                if said is not None and said.startswith("TLS certificate not trusted"):  # a refusal: no retry, 69
                    raise UnavailableError(
                        f"{method} {self.show(url)}: {said}",
                        hint="install the server's CA (SSL_CERT_FILE) or fix its certificate",
                    ) from exc
                problem = f"cannot connect: {said or ' '.join(str(exc).split()) or type(exc).__name__}"
            shown = redact_text(str(response.url) if response is not None else url)
            if response is not None:
                log.debug("%s %s -> HTTP %d", method, shown, response.status_code)
                if response.status_code not in RETRY_STATUS:
                    return self._parse(method, shown, response), response
                problem = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
            if attempt < self.retries:
                log.info("%s %s: %s, retrying (%d of %d retries)", method, shown, problem, attempt + 1, self.retries)
        # Unreachable (refused, timed out, no such host) is temporary, for a source as for a destination:
        # 69 is for a server that answers and refuses us (credentials, another origin).
        where = f"{method} {self.show(url)}"
        each = f" of {self.timeout:g} s each" if problem == "timed out" else ""
        raise TempFailError(f"{where}: {problem} after {self.retries + 1} attempt(s){each}", hint="safe to rerun")

    def show(self, url: str) -> str:
        """``url`` in full, as messages name it (redacted)."""
        full = url if "://" in url else str(self.client.base_url).rstrip("/") + "/" + url.lstrip("/")
        return redact_text(full)

    @staticmethod
    def _refuse(here: str, there: str, status: int) -> UnavailableError:
        how = f"HTTP {status} redirects" if status else "a next link leads"
        return UnavailableError(
            f"{how} from {here} to another origin, {there}: refused, "
            "credentials and configured headers are never sent to another origin",
            hint="if the API moved, set the source's base_url to the new location",
        )

    @staticmethod
    def _parse(method: str, shown: str, response: Any) -> Any:
        status = response.status_code
        if status in (401, 403):
            raise UnavailableError(f"{method} {shown}: refused, HTTP {status}", hint="check the source's credentials")
        if 300 <= status < 400:  # a redirect ``follow`` did not take (a 301/302/303 answering a PATCH or POST)
            error = HttpRefusedError(f"{method} {shown}: HTTP {status} redirect not followed (it would change the method)")
            error.http_status = status
            raise error
        if status >= 400:
            error = HttpRefusedError(redact_text(f"{method} {shown}: HTTP {status}: {response.text[:200]!r}"))
            error.http_status = status
            raise error
        if not response.content.strip():
            return None
        import orjson

        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{method} {shown}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc

    def get(self, url: str, params: Any = None) -> Any:
        return self.request("GET", url, params=params)[0]
