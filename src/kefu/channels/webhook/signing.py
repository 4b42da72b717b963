"""HMAC-SHA256 signatures of webhook bodies, both directions: ``sha256=<hex>`` of
``"{unix timestamp}.{raw body}"``, with the timestamp bounding replays in time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

from kefu.shared.errors import NotAuthenticated

TIMESTAMP_HEADER = "X-Kefu-Timestamp"
SIGNATURE_HEADER = "X-Kefu-Signature"
SCHEME = "sha256="
TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"
# A timestamp is a unix time in seconds: ten digits until the year 2286.
MAX_TIMESTAMP_CHARS = 12


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Kefu-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def _timestamp(raw: str | None, now: datetime, tolerance: int) -> int:
    if not raw:
        raise NotAuthenticated(f"{TIMESTAMP_HEADER} is missing", code="missing_timestamp")
    text = raw.strip()
    if not text.isdigit() or not text.isascii() or len(text) > MAX_TIMESTAMP_CHARS:
        raise NotAuthenticated(
            f"{TIMESTAMP_HEADER} must be a unix time in seconds", code="bad_timestamp"
        )
    timestamp = int(text)
    if abs(int(now.timestamp()) - timestamp) > tolerance:
        raise NotAuthenticated(
            f"{TIMESTAMP_HEADER} is more than {tolerance} seconds away from the server's clock",
            code="stale_timestamp",
        )
    return timestamp


def verify(
    secrets_: Iterable[str],
    *,
    timestamp: str | None,
    signature_header: str | None,
    body: bytes,
    now: datetime,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """Raise ``NotAuthenticated`` (with a specific code) unless ``signature_header`` signs
    ``body`` and ``timestamp`` with one of ``secrets_`` and the timestamp is within
    ``tolerance`` seconds of ``now``. Comparisons take constant time."""
    when = _timestamp(timestamp, now, tolerance)
    if not signature_header:
        raise NotAuthenticated(f"{SIGNATURE_HEADER} is missing", code="missing_signature")
    sent = signature_header.strip().lower()
    if not sent.startswith(SCHEME):
        raise NotAuthenticated(
            f"{SIGNATURE_HEADER} must be '{SCHEME}<hex HMAC-SHA256>'", code="bad_signature"
        )
    # Check every secret, so the time taken does not tell which one matched.
    matched = False
    for secret in secrets_:
        matched |= hmac.compare_digest(sent.encode(), signature(secret, when, body).encode())
    if not matched:
        raise NotAuthenticated("the signature does not match the body", code="bad_signature")
