"""Shop identity tokens: a shop's signed statement of which of its customers is chatting.

A token is a compact JWS with HS256 (the same bytes a JWT library makes with
``jwt.encode(claims, secret, algorithm="HS256")``), so a shop can sign it in any language:
``base64url(header) "." base64url(claims) "." base64url(HMAC-SHA256(secret, first two parts))``.
Claims: ``sub`` (the shop's own customer id), ``exp`` (Unix seconds), optional ``name``,
``email``, ``phone``. Pure: no I/O; the time is passed in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError

from kefu.shared.errors import KefuError
from kefu.shared.types import NO_NUL

MAX_TOKEN_CHARS = 4096
_HEADER = {"alg": "HS256", "typ": "JWT"}


class InvalidIdentity(KefuError):
    """The token is not one this shop signed, or no longer valid. Codes: ``identity_malformed``,
    ``identity_bad_signature``, ``identity_expired``, ``identity_not_configured``."""

    code = "identity_invalid"
    status = 401


class _Claims(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    sub: str = Field(min_length=1, max_length=128, pattern=NO_NUL)
    exp: int = Field(ge=0, le=2**42)
    name: str = Field(default="", max_length=100, pattern=NO_NUL)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ()-]{3,32}$")


@dataclass(frozen=True, slots=True)
class ShopIdentity:
    """Who the shop says the visitor is."""

    external_id: str
    expires_at: datetime
    name: str = ""
    email: str | None = None
    phone: str | None = None


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, signing_input: str) -> bytes:
    return hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()


def sign_identity(identity: ShopIdentity, *, secret: str) -> str:
    """A token for ``identity`` (what a shop's server does; here for tests and the docs)."""
    claims: dict[str, object] = {
        "sub": identity.external_id,
        "exp": int(identity.expires_at.timestamp()),
    }
    for key in ("name", "email", "phone"):
        value = getattr(identity, key)
        if value:
            claims[key] = value
    header = _b64encode(json.dumps(_HEADER, separators=(",", ":")).encode())
    payload = _b64encode(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signing_input = f"{header}.{payload}"
    return f"{signing_input}.{_b64encode(_signature(secret, signing_input))}"


def _malformed(why: str) -> InvalidIdentity:
    return InvalidIdentity(f"identity token is malformed: {why}", code="identity_malformed")


def _json_part(part: str) -> dict[str, object]:
    try:
        value = json.loads(_b64decode(part))
    except (binascii.Error, ValueError) as exc:
        raise _malformed("a part is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise _malformed("a part is not a JSON object")
    return value


def read_identity(token: str, *, secret: str, now: datetime) -> ShopIdentity:
    """The identity in ``token`` if ``secret`` signed it and it has not expired at ``now``;
    raises ``InvalidIdentity`` otherwise. Only HS256 is accepted, whatever the header says."""
    parts = token.split(".")
    if len(token) > MAX_TOKEN_CHARS or len(parts) != 3 or not all(parts):
        raise _malformed("expected three dot-separated parts")
    header, payload, signature = parts
    if _json_part(header).get("alg") != "HS256":
        raise _malformed("the algorithm must be HS256")
    try:
        sent = _b64decode(signature)
        expected = _signature(secret, f"{header}.{payload}")
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise _malformed("the signature is not base64url") from exc
    if not hmac.compare_digest(sent, expected):
        raise InvalidIdentity(
            "identity token is not signed with this shop's widget secret",
            code="identity_bad_signature",
        )
    try:
        claims = _Claims.model_validate(_json_part(payload))
    except ValidationError as exc:
        raise _malformed(f"claims do not validate ({exc.errors()[0]['loc']})") from exc
    expires_at = datetime.fromtimestamp(claims.exp, tz=UTC)
    if now >= expires_at:
        raise InvalidIdentity("identity token has expired", code="identity_expired")
    return ShopIdentity(
        external_id=claims.sub,
        expires_at=expires_at,
        name=claims.name,
        email=str(claims.email).lower() if claims.email else None,
        phone=claims.phone,
    )
