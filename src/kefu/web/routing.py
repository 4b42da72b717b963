"""The route class of every page: domain errors become friendly pages, and headers are set."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from kefu.http.deps import SAFE_METHODS, get_settings
from kefu.shared.errors import InvalidInput, KefuError, NotAuthenticated, NotFound
from kefu.web.i18n import CATALOG, LANG_COOKIE, LANG_PARAM, Locale, is_locale
from kefu.web.render import render
from kefu.web.viewer import is_htmx, request_locale

LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

# Pages show customers' personal data: no caching, no framing, and a policy that refuses inline
# script even if some text ever escaped its escaping.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def safe_next(target: str | None) -> str:
    """Only same-site paths: ``/x`` yes; ``//evil.example``, ``/\\evil``, ``https://...`` no."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/conversations"
    if any(ch in target for ch in "\r\n\t\\\x00"):
        return "/conversations"
    return target


def login_url(request: Request) -> str:
    """The login page, coming back here afterwards (for GET pages; writes go back to the list)."""
    if request.method in SAFE_METHODS:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        here = request.headers.get("hx-current-url", "") if is_htmx(request) else ""
        here = _path_of(here, request)
    return "/login?" + urlencode({"next": safe_next(here)})


def _path_of(url: str, request: Request) -> str:
    origin = f"{request.url.scheme}://{request.url.netloc}"
    return url.removeprefix(origin) if url.startswith(origin) else ""


def error_detail_key(exc: KefuError) -> str:
    key = f"error.detail.{exc.code}"
    if key in CATALOG:
        return key
    return {403: "error.detail.forbidden", 404: "error.detail.not_found"}.get(
        exc.status, "error.detail.generic"
    )


def error_title_key(status: int) -> str:
    key = f"error.{status}"
    return key if key in CATALOG else "error.title"


def error_page(request: Request, exc: KefuError) -> Response:
    """Send the login page for the unauthenticated; a full page or an htmx flash otherwise."""
    if isinstance(exc, NotAuthenticated):
        target = login_url(request)
        if is_htmx(request):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    locale: Locale = getattr(request.state, "locale", None) or request_locale(request)
    context = {
        "status": exc.status,
        "title_key": error_title_key(exc.status),
        "detail_key": error_detail_key(exc),
        "code": exc.code,
    }
    if is_htmx(request):
        return render(
            request,
            "_flash.html",
            context,
            locale=locale,
            status_code=exc.status,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
        )
    return render(request, "error.html", context, locale=locale, status_code=exc.status)


def not_found_page(request: Request, exc: KefuError) -> Response:
    """The full error page with security headers, for addresses no route knows."""
    return finish(request, error_page(request, exc))


def _from_validation(exc: RequestValidationError) -> KefuError:
    if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
        return NotFound("no such page", code="not_found")
    return InvalidInput("the request does not validate", code="invalid_input")


def finish(request: Request, response: Response) -> Response:
    """Remember an explicit ``?lang=`` in its cookie and add the security headers."""
    chosen = request.query_params.get(LANG_PARAM)
    if is_locale(chosen):
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=LANG_COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=get_settings(request).cookie_secure,
        )
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class PageRoute(APIRoute):
    """Routes answering browsers with HTML: errors from dependencies and services included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except KefuError as exc:
                response = error_page(request, exc)
            except RequestValidationError as exc:
                response = error_page(request, _from_validation(exc))
            return finish(request, response)

        return page_handler
