"""HTTP routes of the accounts domain: session login, users, API tokens, audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from kefu.accounts import service
from kefu.accounts.login import LoginGuard, log_in
from kefu.accounts.models import User
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.accounts.schemas import (
    AuditEventOut,
    LoginIn,
    SessionOut,
    TeamOut,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from kefu.accounts.security import new_csrf_token
from kefu.http.deps import CurrentPrincipal, SessionDep, requires, session_version
from kefu.http.params import IdPath, OptionalIdQuery
from kefu.shared.clock import utcnow
from kefu.shared.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_guard(request: Request) -> LoginGuard:
    guard: LoginGuard = request.app.state.login_guard
    return guard


@router.post("/auth/login", response_model=SessionOut)
async def login(
    body: LoginIn,
    request: Request,
    session: SessionDep,
    guard: Annotated[LoginGuard, Depends(login_guard)],
) -> SessionOut:
    user = await log_in(
        session,
        guard=guard,
        email=body.email,
        password=body.password,
        address=client_address(request),
        now=utcnow(),
    )
    start_web_session(request, user)
    return SessionOut(user=UserOut.model_validate(user), csrf_token=request.session["csrf"])


def start_web_session(request: Request, user: User) -> None:
    request.session.clear()
    request.session.update({"uid": user.id, "sv": session_version(user), "csrf": new_csrf_token()})


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: Request, _principal: CurrentPrincipal) -> Response:
    request.session.clear()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=UserOut)
async def me(principal: CurrentPrincipal, session: SessionDep) -> UserOut:
    if principal.user_id is None:
        raise NotFound("an API token is not a user", code="not_a_user")
    user = await service.require_user(session, shop_id=principal.shop_id, user_id=principal.user_id)
    return UserOut.model_validate(user)


@router.get("/teams", response_model=list[TeamOut])
async def list_teams(principal: CurrentPrincipal, session: SessionDep) -> list[TeamOut]:
    teams = await service.list_teams(session, shop_id=principal.shop_id)
    return [TeamOut.model_validate(t) for t in teams]


@router.get("/users", response_model=list[UserOut])
async def list_users(principal: CurrentPrincipal, session: SessionDep) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in await service.list_users(session, actor=principal)]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def create_user(
    body: UserCreate,
    principal: Annotated[Principal, Depends(requires(Permission.USERS_MANAGE))],
    session: SessionDep,
) -> UserOut:
    user = await service.create_user(
        session, actor=principal, shop_id=principal.shop_id, data=body, now=utcnow()
    )
    return UserOut.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserOut)
async def update_user(
    user_id: IdPath,
    body: UserUpdate,
    principal: Annotated[Principal, Depends(requires(Permission.USERS_MANAGE))],
    session: SessionDep,
) -> UserOut:
    user = await service.update_user(
        session, actor=principal, user_id=user_id, data=body, now=utcnow()
    )
    return UserOut.model_validate(user)


@router.get("/tokens", response_model=list[TokenOut])
async def list_tokens(principal: CurrentPrincipal, session: SessionDep) -> list[TokenOut]:
    tokens = await service.list_api_tokens(session, actor=principal)
    return [TokenOut.model_validate(t) for t in tokens]


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(
    body: TokenCreate,
    principal: Annotated[Principal, Depends(requires(Permission.TOKENS_MANAGE))],
    session: SessionDep,
) -> TokenCreated:
    token, secret = await service.create_api_token(
        session, actor=principal, data=body, now=utcnow()
    )
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
async def revoke_token(
    token_id: IdPath,
    principal: Annotated[Principal, Depends(requires(Permission.TOKENS_MANAGE))],
    session: SessionDep,
) -> TokenOut:
    token = await service.revoke_api_token(
        session, actor=principal, token_id=token_id, now=utcnow()
    )
    return TokenOut.model_validate(token)


@router.get("/audit", response_model=list[AuditEventOut])
async def list_audit(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: OptionalIdQuery = None,
) -> list[AuditEventOut]:
    events = await service.list_audit_events(
        session, actor=principal, limit=limit, before_id=before_id
    )
    return [AuditEventOut.model_validate(e) for e in events]
