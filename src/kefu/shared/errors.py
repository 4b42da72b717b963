"""Structured domain errors: every failure a client can see has a stable machine-readable code."""

from __future__ import annotations

from typing import Any


class KefuError(Exception):
    """Base error. ``code`` is stable and documented; ``status`` is the HTTP status it maps to."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class InvalidInput(KefuError):
    code = "invalid_input"
    status = 422


class NotAuthenticated(KefuError):
    code = "not_authenticated"
    status = 401


class Forbidden(KefuError):
    code = "forbidden"
    status = 403


class NotFound(KefuError):
    code = "not_found"
    status = 404


class Conflict(KefuError):
    code = "conflict"
    status = 409


class TooLarge(KefuError):
    code = "payload_too_large"
    status = 413


class UnsupportedType(KefuError):
    code = "unsupported_media_type"
    status = 415


class RateLimited(KefuError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after
