"""A route's authentication: a bearer token, or an HMAC-SHA256 signature of the body, compared in constant time.

The signature header may hold the digest in hex or base64, with or without a
``sha256=`` prefix (GitHub-, Shopify- and Stripe-like senders): both forms are
computed and compared with ``hmac.compare_digest``. A missing credential is
401, a wrong one 403. Neither the secret nor the credential sent is ever
shown: the reasons name only the header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING

from flowkit.receive.config import Route

if TYPE_CHECKING:
    from email.message import Message

    Headers = Message[str, str]


class Refused(Exception):
    """A post the route's authentication refuses: ``status`` is 401 (no credential) or 403 (a wrong one)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_bearer(route: Route, headers: Headers) -> None:
    """A bearer route's token, before the body is read (nothing is read for a wrong one)."""
    if route.auth != "bearer":
        return
    value = headers.get("Authorization")
    if not value:
        raise Refused(401, "no Authorization header (this route takes a bearer token)")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), route.secret):
        raise Refused(403, "the bearer token is not this route's")


def check_signature(route: Route, headers: Headers, body: bytes) -> None:
    """An HMAC route's signature of ``body``."""
    if route.auth != "hmac-sha256":
        return
    value = headers.get(route.signature_header)
    if not value:
        raise Refused(401, f"no {route.signature_header} header (this route takes an HMAC-SHA256 signature of the body)")
    sent = value.strip()
    if sent[:7].lower() == "sha256=":
        sent = sent[7:]
    digest = hmac.new(route.secret, body, hashlib.sha256).digest()
    as_hex = hmac.compare_digest(sent.lower().encode(), digest.hex().encode())
    as_base64 = hmac.compare_digest(sent.encode(), base64.b64encode(digest))
    if not (as_hex or as_base64):
        raise Refused(403, f"the {route.signature_header} signature does not match the body")
