"""The login form, logging out, and the front door that sends visitors to one or the other."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kefu.accounts.api import client_address, login_guard, start_web_session
from kefu.accounts.login import LoginGuard, log_in
from kefu.accounts.security import new_csrf_token, same_secret
from kefu.http.deps import OptionalPrincipal, SessionDep
from kefu.shared.clock import utcnow
from kefu.shared.errors import NotAuthenticated, RateLimited
from kefu.shared.types import NO_NUL
from kefu.web.render import render
from kefu.web.routing import PageRoute, safe_next
from kefu.web.viewer import ViewerDep, request_locale

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Anonymous visitors get a signed-session token before they may post the login form, so another
# site cannot log a browser into an account of its choosing (login CSRF).
LOGIN_CSRF_KEY = "login_csrf"


def _login_token(request: Request) -> str:
    token = request.session.get(LOGIN_CSRF_KEY)
    if not isinstance(token, str):
        token = new_csrf_token()
        request.session[LOGIN_CSRF_KEY] = token
    return token


def _login_form(
    request: Request,
    *,
    email: str = "",
    next_path: str,
    error: str | None = None,
    error_params: dict[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "email": email,
        "next": next_path,
        "error": error,
        "error_params": error_params or {},
        "login_token": _login_token(request),
    }
    return render(
        request,
        "login.html",
        context,
        locale=request_locale(request),
        status_code=status_code,
        page_path="/login",
    )


@router.get("/")
async def front_door(principal: OptionalPrincipal) -> RedirectResponse:
    target = "/conversations" if principal is not None and principal.user_id else "/login"
    return RedirectResponse(target, status_code=303)


@router.get("/login", response_model=None)
async def login_page(
    request: Request,
    principal: OptionalPrincipal,
    next_path: Annotated[str | None, Query(alias="next", max_length=2000, pattern=NO_NUL)] = None,
) -> Response:
    if principal is not None and principal.user_id is not None:
        return RedirectResponse(safe_next(next_path), status_code=303)
    return _login_form(request, next_path=safe_next(next_path))


@router.post("/login", response_model=None)
async def login_submit(
    request: Request,
    session: SessionDep,
    guard: Annotated[LoginGuard, Depends(login_guard)],
    email: Annotated[str, Form(max_length=254, pattern=NO_NUL)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next_field: Annotated[str, Form(alias="next", max_length=2000, pattern=NO_NUL)] = "",
) -> Response:
    next_path, email = safe_next(next_field), email.strip()
    expected = request.session.get(LOGIN_CSRF_KEY)
    if not isinstance(expected, str) or not csrf_token or not same_secret(csrf_token, expected):
        request.session.pop(LOGIN_CSRF_KEY, None)
        return _login_form(
            request, email=email, next_path=next_path, error="login.error.csrf", status_code=403
        )
    if not email or not password:
        return _login_form(
            request, email=email, next_path=next_path, error="login.error.missing", status_code=422
        )
    try:
        user = await log_in(
            session,
            guard=guard,
            email=email,
            password=password,
            address=client_address(request),
            now=utcnow(),
        )
    except RateLimited as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        return _login_form(
            request,
            email=email,
            next_path=next_path,
            error="login.error.rate_limited",
            error_params={"minutes": minutes},
            status_code=429,
        )
    except NotAuthenticated:
        return _login_form(
            request,
            email=email,
            next_path=next_path,
            error="login.error.bad_credentials",
            status_code=401,
        )
    start_web_session(request, user)
    return RedirectResponse(next_path, status_code=303)


@router.post("/logout")
async def logout(request: Request, _viewer: ViewerDep) -> RedirectResponse:
    """Needs the session's CSRF token (checked while resolving the viewer)."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
