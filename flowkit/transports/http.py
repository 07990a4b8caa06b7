"""HTTP transport (httpx): one pooled client per batch, classified failures, idempotent resends.

``url`` is a template (``https://erp.example.com/orders/{key}``); the body and
content type come from the record. Success is a 2xx (or the ``success`` list).
Timeouts before the request was sent, 429 (with its Retry-After) and 5xx are
transient; a timeout or dropped connection after the request went out is an
unknown outcome; 401/403 are refusals; any other 4xx is permanent. Every
request carries a deterministic ``Idempotency-Key`` (sha256 of key and content
hash), so a resend after an unknown outcome is safe. An optional exists-check
(``exists_url``) looks the record up before writing, as ERP order imports do.
TLS is verified (``ca_file`` for a private CA; ``verify = false`` only by choice).

Secrets: every message, receipt and archived request/response goes through
``flowkit.secrets`` (URL passwords, credential query parameters, tokens,
configured header values masked). Redirects: a 307/308 within the
destination's origin (scheme, host, port) is followed with the same method
and body; a redirect to another origin is refused (69) before anything is
sent there, naming both origins; any other redirect is a permanent failure.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flowkit.config import Config
from flowkit.errors import ConfigError, ExitCode, RecordError, TempFailError, UnavailableError
from flowkit.reasons import words
from flowkit.records import Record
from flowkit.secrets import (
    SECRET_HEADERS,
    follow,
    redact_headers,
    redact_text,
    remember,
    remember_basic,
    remember_url,
    scrub,
)
from flowkit.transports.base import OutcomeUnknown, Receipt, Transient, option, secret

if TYPE_CHECKING:
    import httpx

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")
ARCHIVE_LIMIT = 65536
ANSWER_LIMIT = 16384  # bytes of a JSON answer carried in the result record (``response``), for mark-sent's write-back


def render_url(template: str, record: Record, filename: str) -> str:
    """Fill ``{key}``, ``{filename}``, ``{kind}`` and ``{meta.NAME}``, each URL-quoted."""

    def field(match: re.Match[str]) -> str:
        name = match.group(1)
        meta = record.get("meta") or {}
        values = {"key": record.get("key"), "filename": filename, "kind": record.get("kind")}
        value = meta.get(name[5:]) if name.startswith("meta.") else values.get(name)
        if value is None:
            raise RecordError(f"url template: no value for {{{name}}}", code=ExitCode.DATAERR)
        return quote(str(value), safe="")

    return _FIELD.sub(field, template)


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def idempotency_key(key: str, data: bytes) -> str:
    return hashlib.sha256(key.encode() + b"\0" + hashlib.sha256(data).digest()).hexdigest()[:40]


def dig(document: Any, path: str) -> Any:
    """The value at a dotted path (``data.items.0.id``) of a JSON document, or None."""
    for part in path.split(".") if path else []:
        if isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        elif isinstance(document, dict):
            document = document.get(part)
        else:
            return None
    return document


class Http:
    """Send each record as one HTTP request over a pooled client."""

    resend_unknown = True  # the Idempotency-Key makes a resend safe

    def __init__(self, spec: Mapping[str, Any], config: Config) -> None:
        self.name = str(spec.get("name"))
        self.url = str(spec.get("url") or "")
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(f"destination {self.name!r}: http needs an http(s):// 'url'")
        self.spec = dict(spec)
        self.method = str(option(spec, "method", "POST", str)).upper()
        self.timeout = float(option(spec, "timeout", 30, (int, float)))
        self.connect_timeout = float(option(spec, "connect_timeout", 10, (int, float)))
        self.success = option(spec, "success", None, list)
        self.content_type = option(spec, "content_type", None, str)
        self.key_header = str(option(spec, "idempotency_header", "Idempotency-Key", str))
        ca_file = option(spec, "ca_file", None, str)
        self.ca_file = str(config.resolve_path(ca_file)) if ca_file else None
        self.verify = bool(option(spec, "verify", True, bool))
        self.exists_url = option(spec, "exists_url", None, str)
        remember_url(self.url)
        self.secret_headers = {  # masked in the archive: every configured header, whatever its name
            *SECRET_HEADERS,
            str(spec.get("api_key_header", "x-api-key")).lower(),
            *(str(k).lower() for k in spec.get("headers") or {}),
        }
        self.client: httpx.Client | None = None

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], config: Config) -> Http:
        return cls(spec, config)

    def _headers(self) -> dict[str, str]:
        headers = {str(k): str(secret(self.spec["headers"], k)) for k in self.spec.get("headers") or {}}
        auth = option(self.spec, "auth", None, str)
        if auth == "bearer":
            token = str(secret(self.spec, "token"))
            remember(token)
            headers["Authorization"] = f"Bearer {token}"
        elif auth == "header":
            api_key = str(secret(self.spec, "api_key"))
            remember(api_key)
            headers[str(option(self.spec, "api_key_header", "X-API-Key", str))] = api_key
        elif auth not in (None, "basic"):
            raise ConfigError(f"destination {self.name!r}: auth must be basic, bearer or header")
        return headers

    def open(self) -> None:
        import httpx

        basic = None
        if self.spec.get("auth") == "basic":
            username, password = str(self.spec.get("username", "")), secret(self.spec, "password") or ""
            remember_basic(username, password)
            basic = httpx.BasicAuth(username, password)
        verify: Any = self.verify
        if self.ca_file:
            import ssl

            verify = ssl.create_default_context(cafile=self.ca_file)
        self.client = httpx.Client(
            timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
            verify=verify,
            headers={"User-Agent": "flowkit-deliver", **self._headers()},
            auth=basic,
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
        )

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        import httpx

        assert self.client is not None, "open() first"
        shown = redact_text(url)
        try:
            response: httpx.Response = follow(self.client, self.client.request(method, url, **kwargs), self._refuse)
            return response
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise UnavailableError(
                    redact_text(f"{shown}: TLS certificate not trusted: {exc}"), hint="set ca_file for a private CA"
                ) from exc
            raise Transient(
                redact_text(f"{method} {shown}: cannot connect: {words(exc, self.timeout) or exc or type(exc).__name__}")
            ) from exc
        except httpx.TransportError as exc:  # sent, but no (complete) answer
            raise OutcomeUnknown(redact_text(f"{method} {shown}: no answer ({type(exc).__name__}: {exc})")) from exc

    @staticmethod
    def _refuse(here: str, there: str, status: int) -> RecordError:
        return RecordError(
            f"HTTP {status} redirects from {here} to another origin, {there}: refused, "
            "credentials and configured headers are never sent to another origin",
            code=ExitCode.UNAVAILABLE,
            hint="if the destination moved, set its url to the new location",
        )

    def put(self, name: str, data: bytes, record: Record) -> Receipt:
        url = render_url(self.url, record, name)
        if self.exists_url:
            there, found = self._check(record, name)
            if there:
                detail: dict[str, Any] = {"exists": True, **answer(found)}
                return Receipt(redact_text(f"exists {render_url(self.exists_url, record, name)}"), detail)
        headers = {
            "Content-Type": self.content_type or str(record.get("type") or "application/octet-stream"),
            self.key_header: idempotency_key(str(record["key"]), data),
        }
        response = self._request(self.method, url, content=data, headers=headers)
        detail = archive(response, data, self.secret_headers)
        code = response.status_code
        if (code in self.success) if self.success else 200 <= code < 300:
            detail.update(answer(response))
            return Receipt(redact_text(f"{code} {response.headers.get('location') or url}"), detail)
        message = redact_text(f"{self.method} {url}: HTTP {code} {response.reason_phrase}: {response.text[:200]}")
        if code == 429 or code >= 500:
            raise Transient(message, retry_after=retry_after(response.headers.get("retry-after")))
        if code in (401, 403, 407):
            raise RecordError(message, code=ExitCode.UNAVAILABLE, hint="check the destination's credentials")
        raise RecordError(message, code=ExitCode.DATAERR)

    def _exists(self, record: Record, name: str) -> bool:
        """The exists-check: True when the destination already has this record."""
        return self._check(record, name)[0]

    def _check(self, record: Record, name: str) -> tuple[bool, Any]:
        """The exists-check: whether the destination has this record, and its answer (when it has)."""
        assert self.exists_url is not None
        url = render_url(self.exists_url, record, name)
        response = self._request(str(self.spec.get("exists_method", "GET")).upper(), url)
        url = redact_text(url)  # for the messages below
        code = response.status_code
        if code in (self.spec.get("exists_stop_status") or []):
            raise RecordError(f"exists-check {url}: HTTP {code}: stopping", code=ExitCode.UNAVAILABLE)
        if code in (self.spec.get("exists_missing_status") or [404]):
            return False, None
        if code == 429 or code >= 500:
            raise Transient(f"exists-check {url}: HTTP {code}", retry_after=retry_after(response.headers.get("retry-after")))
        if not 200 <= code < 300:
            raise RecordError(f"exists-check {url}: unexpected HTTP {code}", code=ExitCode.DATAERR)
        path = self.spec.get("exists_path")
        if not path:
            return True, response
        try:
            value = dig(response.json(), str(path))
        except ValueError:
            raise RecordError(f"exists-check {url}: response is not JSON", code=ExitCode.DATAERR) from None
        return value not in (None, [], {}, "") and value != self.spec.get("exists_not_found"), response

    def exists(self, name: str, size: int, record: Record | None = None) -> bool | None:
        if not self.exists_url or record is None:
            return None
        return self._exists(record, name)

    def probe(self, key: str) -> str:
        """A request that creates nothing, with the destination's auth and TLS; what it answered.

        The exists-check URL (``exists_method``, GET by default) when one is configured, filled
        with ``key``; else HEAD to the endpoint (``url`` up to its first placeholder), and GET
        when the server does not implement HEAD (405, 501). Any answer but 401/403/407
        (refused, 69) or 5xx (75) counts as reachable.
        """
        if self.client is None:
            self.open()
        method = str(self.spec.get("exists_method", "GET")).upper() if self.exists_url else "HEAD"
        url = endpoint(self.exists_url, key) if self.exists_url else self.url.split("{", 1)[0]
        response = self._request(method if method in ("GET", "HEAD") else "HEAD", url)
        if response.request.method == "HEAD" and response.status_code in (405, 501):
            response = self._request("GET", url)
        code, shown = response.status_code, f"{response.request.method} {redact_text(url)}"
        answered = f"{shown}: HTTP {code} {response.reason_phrase}".rstrip()
        if code in (401, 403, 407):
            raise UnavailableError(f"{answered}: credentials refused", hint="check the destination's credentials")
        if code >= 500:
            raise TempFailError(f"{answered}: the server is failing", hint="rerun later")
        return f"{answered} (reachable)"

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


def endpoint(template: str, key: str) -> str:
    """A URL template with ``{key}``/``{filename}`` filled with ``key``, cut before any other placeholder."""
    url = template.replace("{key}", quote(key, safe="")).replace("{filename}", quote(key, safe=""))
    return url.split("{", 1)[0]


def answer(response: httpx.Response | None) -> dict[str, Any]:
    """``{"json": …}``: the destination's JSON answer, when it is JSON and at most ``ANSWER_LIMIT`` bytes; else ``{}``.

    Deliver puts it in the result record (``response``), where ``query-orders mark-sent`` can
    write values of it back to the order's source (the ERP's ids). Strings are redacted.
    """
    if response is None or len(response.content) > ANSWER_LIMIT:
        return {}
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        return {}
    try:
        return {"json": scrub(response.json())}
    except ValueError:
        return {}


def archive(response: httpx.Response, data: bytes, secret_headers: set[str]) -> dict[str, Any]:
    """Request and response as kept for ``state sent`` (bodies truncated, credentials and configured headers masked)."""
    request = response.request
    return {
        "status": response.status_code,
        "request": {
            "method": request.method,
            "url": redact_text(str(request.url)),
            "headers": redact_headers(request.headers.items(), secret_headers),
            "size": len(data),
        },
        "response": {"headers": redact_headers(response.headers.items()), "body": redact_text(response.text[:ARCHIVE_LIMIT])},
    }
