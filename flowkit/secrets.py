"""Secrets never in clear, and credentials never sent to another origin.

One redaction function for everything flowkit shows or keeps: error
messages, events, log lines, result records, the delivery ledger's archived
request and response, ``flowkit state`` and ``flowkit config show``.
``redact_text`` masks, in any text:

- every secret value this process knows: each value resolved from a
  ``${ENV}`` or ``file:`` reference (``config.resolve_secret`` remembers it),
  each literal value under a secret-looking key (``password``, ``token``,
  ``api_key``, ``secret``, ... and headers named like them or
  ``Authorization``), URL passwords, and their URL-quoted and HTTP Basic
  forms; ``config.load`` remembers those of the whole config file, so a
  ``state show`` run also knows the secrets of the deliveries it prints;
- the password of a URL (``https://user:***@host/``);
- query parameters named like credentials (``?api_key=***``, ``token``,
  ``access_token``, ``signature``, ``password``, ...);
- ``Authorization:`` header values and ``Bearer``/``Basic`` credentials.

Values shorter than ``MIN_LENGTH`` characters are masked where the
structure shows them (a key, a header, a URL) but not searched for in free
text, where they would mask ordinary words and numbers.

``redact`` is the structural form (a config table, a ledger row): values
under secret-looking keys and every configured ``headers`` value are
masked, ``${ENV}`` and ``file:`` references are kept as written (they are
not secrets), and every other string goes through ``redact_text``.

Redirects: ``origin`` and ``follow`` let the HTTP clients follow a redirect
only within the origin (scheme, host, port) they were configured for, so
credentials and configured headers never reach another host.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

MASK = "***"
MIN_LENGTH = 6
MAX_REDIRECTS = 5
SECRET_KEY = re.compile(r"(pass(word|phrase)?|secret|token|api_?key|private_key|credential)", re.IGNORECASE)
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"})
_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@?#\"'<>]*):[^@/\s?#\"'<>]*@")
_PARAM = re.compile(
    r"(?i)([?&;][a-z0-9_.\-\[\]]*?(?:token|key|secret|password|passwd|pwd|signature|sig|auth|authorization|credentials?)=)"
    r"[^&#\s\"'<>]+"
)
_AUTH_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token|digest)\s+)?[^\s\"',;]+")
_SCHEME_CREDENTIAL = re.compile(r"\b(Bearer|Basic) (?!\*\*\*)[A-Za-z0-9._~+/=\-]{8,}")

_HEADER_SCHEME = re.compile(r"(?:Bearer|Basic|Token|Digest|ApiKey)\s+(\S+)\s*$", re.IGNORECASE)
_known: set[str] = set()
_pattern: re.Pattern[str] | None = None


def remember(value: Any) -> None:
    """Know ``value`` as a secret from now on (with its URL-quoted form); short values are not searched for."""
    global _pattern
    if not isinstance(value, str) or len(value) < MIN_LENGTH:
        return
    forms = {value, quote(value, safe=""), value.replace("/", "\\/")}  # as written, URL-quoted, JSON-escaped
    scheme = _HEADER_SCHEME.match(value)  # "Bearer tk_…": a server may echo the credential alone
    if scheme and len(scheme.group(1)) >= MIN_LENGTH:
        forms |= {scheme.group(1), scheme.group(1).replace("/", "\\/")}
    new = forms - _known
    if new:
        _known.update(new)
        _pattern = re.compile("|".join(re.escape(v) for v in sorted(_known, key=len, reverse=True)))


def remember_basic(username: str, password: str) -> None:
    """Know the HTTP Basic form of a username and password pair (and the password itself)."""
    remember(password)
    if password:
        remember(base64.b64encode(f"{username}:{password}".encode()).decode())


def remember_url(url: Any) -> None:
    """Know the password of ``url``, if it has one (and its Basic form)."""
    if not isinstance(url, str) or "@" not in url or "://" not in url:
        return
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return
    if password:
        remember(password)
        remember_basic(unquote(parts.username or ""), unquote(password))


def forget() -> None:
    """Forget every remembered value (a new configuration is loaded)."""
    global _pattern
    _known.clear()
    _pattern = None


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith("file:") or bool(_REF.fullmatch(value)))


def remember_config(data: Mapping[str, Any]) -> None:
    """Know every secret of a parsed config: resolvable references, literal secret values, URL passwords.

    Never fails: a reference that does not resolve now is left to ``config check``
    and to the command that uses it. ``file:`` secrets are read only from regular
    files of at most 64 KiB, so a FIFO or a device never blocks loading.
    """

    def walk(value: Any, key: str, parent: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, str(k), key)
        elif isinstance(value, list):
            for item in value:
                walk(item, key, parent)
        elif isinstance(value, str):
            remember_url(value)
            reads_references = _secret_name(key) or parent == "headers"  # a username alone is no secret
            if reads_references and (value.startswith("file:") or _REF.search(value)):
                remember(_quiet_resolve(value))
            elif _secret_name(key):
                remember(value)

    walk(data, "", "")


def _secret_name(key: str) -> bool:
    return bool(SECRET_KEY.search(key)) or key.lower() in SECRET_HEADERS


def _quiet_resolve(value: str) -> str | None:
    if value.startswith("file:"):
        path = os.path.expanduser(value[5:])
        try:
            if not os.path.isfile(path) or os.path.getsize(path) > 65536:
                return None
            with open(path, encoding="utf-8") as handle:
                return handle.read().strip()
        except (OSError, UnicodeDecodeError):
            return None
    if any(name not in os.environ for name in _REF.findall(value)):
        return None
    return _REF.sub(lambda m: os.environ[m.group(1)], value)


def redact_text(text: str) -> str:
    """``text`` with every known secret, URL password, credential parameter and auth header masked."""
    if not text:
        return text
    if _pattern is not None:
        text = _pattern.sub(MASK, text)
    if "://" in text:
        text = _USERINFO.sub(rf"\1:{MASK}@", text)
    if "=" in text:
        text = _PARAM.sub(rf"\1{MASK}", text)
    if "uthoriz" in text:
        text = _AUTH_HEADER.sub(lambda m: m.group(1) + (f"{m.group(2)} " if m.group(2) else "") + MASK, text)
    if "Bearer " in text or "Basic " in text:
        text = _SCHEME_CREDENTIAL.sub(rf"\1 {MASK}", text)
    return text


def redact(value: Any, key: str = "") -> Any:
    """A copy of ``value`` safe to print: secret-looking keys and configured headers masked, references kept."""
    return _redact(value, key, False)


def _redact(value: Any, key: str, secret: bool) -> Any:
    if isinstance(value, Mapping):
        headers = key.lower() == "headers"
        return {k: _redact(v, str(k), (headers and not _plain_header(str(k))) or _secret_name(str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, key, secret) for v in value]
    if not isinstance(value, str):
        return value
    if is_reference(value):
        return value
    if secret or SECRET_KEY.search(key):
        return MASK
    return redact_text(value)


_PLAIN_HEADERS = frozenset({"accept", "content-type", "user-agent", "content-length", "idempotency-key", "host"})


def _plain_header(name: str) -> bool:
    return name.lower() in _PLAIN_HEADERS


def scrub(value: Any) -> Any:
    """A copy of a JSON-like ``value`` with ``redact_text`` applied to every string (keys alone)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def redact_headers(headers: Iterable[tuple[str, str]], secret_names: Iterable[str] = ()) -> dict[str, str]:
    """Headers as kept or shown: the named ones and any secret-looking one masked, the others redacted."""
    names = {n.lower() for n in secret_names}
    return {k: MASK if (k.lower() in names or _secret_name(k)) else redact_text(v) for k, v in headers}


def origin(url: Any) -> str:
    """``scheme://host:port`` of a URL (the default port filled in): what a redirect must not leave."""
    parts = urlsplit(str(url))
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or {"http": 80, "https": 443}.get(scheme)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"


def follow(
    client: Any,
    response: Any,
    refuse: Callable[[str, str, int], BaseException],
    *,
    limit: int = MAX_REDIRECTS,
) -> Any:
    """Follow an httpx ``response``'s redirects within its origin, at most ``limit`` of them.

    A redirect to another origin raises ``refuse(from, to, status)`` before
    anything is sent there. Within the origin, a redirect is followed when it
    keeps the method and body (307, 308) or the request was a GET or HEAD;
    any other (a 301, 302 or 303 answering a POST) is returned for the caller
    to treat as the failure it is, never silently turned into a GET. The
    client must not follow redirects itself (``follow_redirects=False``).
    """
    hops = 0
    while response.has_redirect_location and response.next_request is not None:
        here, there = origin(response.request.url), origin(response.next_request.url)
        if here != there:
            response.close()
            raise refuse(here, there, response.status_code)
        if response.status_code not in (307, 308) and response.request.method not in ("GET", "HEAD"):
            return response
        if hops >= limit:
            return response
        response.read()
        response.close()
        response = client.send(response.next_request)
        hops += 1
    return response
