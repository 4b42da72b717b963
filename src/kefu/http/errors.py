"""One error envelope for the whole API: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from kefu.shared.errors import KefuError, NotFound, RateLimited

# Renders a KefuError as an HTML page for a browser (supplied by the web package).
PageRenderer = Callable[[Request, KefuError], Response]

_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status)


def _clean(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in errors
    ]


async def _kefu_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KefuError)
    response = error_response(exc.status, exc.code, exc.message, exc.details)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "malformed_json", "the request body is not valid JSON")
    return error_response(422, "invalid_input", "the request does not validate", _clean(errors))


def _wants_page(request: Request) -> bool:
    """A browser asking for a page that does not exist (not an API client)."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def install_error_handlers(app: FastAPI, *, page: PageRenderer | None = None) -> None:
    """JSON envelopes for the API; with ``page``, unknown addresses a browser asks for get the
    HTML "not found" page instead."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and page is not None and _wants_page(request):
            return page(request, NotFound("no such page", code="page_not_found"))
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    app.add_exception_handler(KefuError, _kefu_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
