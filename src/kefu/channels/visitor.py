"""Signed visitor tokens: a browser's proof that it is the same web-chat visitor as before."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "kefu-webchat-visitor"


@dataclass(frozen=True, slots=True)
class VisitorClaim:
    shop_id: int
    visitor_id: str


class VisitorTokens:
    """Issues and checks visitor tokens; they never expire, like a shop's own login cookie."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=SALT)

    def issue(self, shop_id: int) -> tuple[str, VisitorClaim]:
        claim = VisitorClaim(shop_id=shop_id, visitor_id=secrets.token_hex(16))
        return self.sign(claim), claim

    def sign(self, claim: VisitorClaim) -> str:
        return str(self._serializer.dumps({"s": claim.shop_id, "v": claim.visitor_id}))

    def read(self, token: str, *, shop_id: int) -> VisitorClaim | None:
        """The claim in ``token`` if it is genuine and for ``shop_id``, else None."""
        try:
            raw = self._serializer.loads(token)
        except BadSignature:
            return None
        if (
            not isinstance(raw, dict)
            or raw.get("s") != shop_id
            or not isinstance(raw.get("v"), str)
        ):
            return None
        return VisitorClaim(shop_id=shop_id, visitor_id=raw["v"])
