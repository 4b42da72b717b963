"""Typed FastAPI dependencies: the database session, settings and who is asking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from kefu.accounts import service as accounts
from kefu.accounts.models import User
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.accounts.security import same_secret
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.errors import Forbidden, NotAuthenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_database(request).session() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def identify(connection: HTTPConnection, session: AsyncSession) -> Principal | None:
    """Who sent this request or WebSocket handshake: the bearer token's or the session cookie's
    principal, or None. Does not check CSRF (see ``optional_principal``)."""
    header = connection.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            raise NotAuthenticated("Authorization must be 'Bearer <token>'", code="bad_auth_header")
        token = await accounts.resolve_api_token(session, secret=secret.strip(), now=utcnow())
        if token is None:
            raise NotAuthenticated("unknown or revoked API token", code="bad_token")
        return accounts.principal_for_token(token)
    user_id = connection.session.get("uid")
    if not isinstance(user_id, int):
        return None
    user = await accounts.get_user(session, user_id)
    if user is None or not user.is_active or connection.session.get("sv") != session_version(user):
        connection.session.clear()
        return None
    return accounts.principal_for_user(user)


async def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """The bearer token's or the session cookie's principal; cookie writes need the CSRF token."""
    principal = await identify(request, session)
    if principal is None or principal.token_id is not None:
        return principal
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or await _form_csrf(request)
        expected = request.session.get("csrf", "")
        if not sent or not expected or not same_secret(sent, expected):
            raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
    return principal


def session_version(user: User) -> str:
    """Changes when the password changes, so old cookies stop working."""
    return user.password_hash[-16:]


async def _form_csrf(request: Request) -> str | None:
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise NotAuthenticated("log in or send an API token", code="not_authenticated")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def requires(permission: Permission) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Dependency factory: the current principal, refused with 403 unless it has ``permission``."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        principal.require(permission)
        return principal

    return dependency
