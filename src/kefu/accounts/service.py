"""Use cases of the accounts domain; write use cases commit their own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import security
from kefu.accounts.models import ApiToken, AuditEvent, Shop, Team, User
from kefu.accounts.permissions import Permission, Role, can_grant
from kefu.accounts.principal import Principal
from kefu.accounts.schemas import TokenCreate, UserCreate, UserUpdate
from kefu.shared.errors import Conflict, Forbidden, InvalidInput, NotFound


async def record_audit(
    session: AsyncSession,
    *,
    actor: Principal,
    action: str,
    target_type: str,
    target_id: object | None,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit row in the caller's transaction, so it lands exactly with the action."""
    session.add(
        AuditEvent(
            shop_id=actor.shop_id,
            actor_user_id=actor.user_id,
            actor_token_id=actor.token_id,
            action=action,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            detail=detail or {},
            created_at=now,
        )
    )


async def create_shop(session: AsyncSession, *, slug: str, name: str, now: datetime) -> Shop:
    if await session.scalar(select(Shop.id).where(Shop.slug == slug)) is not None:
        raise Conflict(f"a shop with slug '{slug}' exists", code="shop_exists")
    shop = Shop(slug=slug, name=name, created_at=now)
    session.add(shop)
    await session.commit()
    return shop


async def get_shop_by_slug(session: AsyncSession, slug: str) -> Shop | None:
    shop: Shop | None = await session.scalar(select(Shop).where(Shop.slug == slug))
    return shop


async def require_shop_by_slug(session: AsyncSession, slug: str) -> Shop:
    shop = await get_shop_by_slug(session, slug)
    if shop is None:
        raise NotFound(f"no shop '{slug}'", code="shop_not_found")
    return shop


async def get_shop(session: AsyncSession, shop_id: int) -> Shop | None:
    return await session.get(Shop, shop_id)


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def require_user(session: AsyncSession, *, shop_id: int, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or user.shop_id != shop_id:
        raise NotFound(f"no user {user_id}", code="user_not_found")
    return user


async def list_users(session: AsyncSession, *, actor: Principal) -> Sequence[User]:
    actor.require(Permission.USERS_READ)
    rows = await session.scalars(
        select(User).where(User.shop_id == actor.shop_id).order_by(User.id)
    )
    return rows.all()


async def list_teams(session: AsyncSession, *, shop_id: int) -> Sequence[Team]:
    rows = await session.scalars(select(Team).where(Team.shop_id == shop_id).order_by(Team.name))
    return rows.all()


async def _check_team(session: AsyncSession, *, shop_id: int, team_id: int | None) -> None:
    if team_id is None:
        return
    team = await session.get(Team, team_id)
    if team is None or team.shop_id != shop_id:
        raise NotFound(f"no team {team_id}", code="team_not_found")


async def create_user(
    session: AsyncSession, *, actor: Principal | None, shop_id: int, data: UserCreate, now: datetime
) -> User:
    """Create a user; ``actor`` None means the operator at the command line (no role check)."""
    if actor is not None:
        actor.require(Permission.USERS_MANAGE)
        if not can_grant(actor.role, data.role):
            raise Forbidden(f"role '{actor.role}' may not create '{data.role}' users")
    email = data.email.lower()
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} exists", code="email_taken")
    await _check_team(session, shop_id=shop_id, team_id=data.team_id)
    user = User(
        shop_id=shop_id,
        email=email,
        name=data.name,
        password_hash=security.hash_password(data.password),
        role=data.role.value,
        tier=data.tier.value if data.tier else None,
        department=data.department.value if data.department else None,
        team_id=data.team_id,
        is_active=True,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    if actor is not None:
        await record_audit(
            session,
            actor=actor,
            action="user.create",
            target_type="user",
            target_id=user.id,
            now=now,
            detail={"email": email, "role": data.role.value},
        )
    await session.commit()
    return user


async def update_user(
    session: AsyncSession, *, actor: Principal, user_id: int, data: UserUpdate, now: datetime
) -> User:
    actor.require(Permission.USERS_MANAGE)
    user = await require_user(session, shop_id=actor.shop_id, user_id=user_id)
    changes = data.model_dump(exclude_unset=True)
    if not can_grant(actor.role, Role(user.role)) or (
        data.role is not None and not can_grant(actor.role, data.role)
    ):
        raise Forbidden(f"role '{actor.role}' may not change this user's role")
    if user.id == actor.user_id and (data.is_active is False or data.role is not None):
        raise InvalidInput(
            "you cannot deactivate yourself or change your own role", code="self_change_refused"
        )
    if "team_id" in changes:
        await _check_team(session, shop_id=actor.shop_id, team_id=data.team_id)
    password = changes.pop("password", None)
    if password is not None:
        user.password_hash = security.hash_password(password)
    for field, value in changes.items():
        setattr(user, field, value.value if hasattr(value, "value") else value)
    await record_audit(
        session,
        actor=actor,
        action="user.update",
        target_type="user",
        target_id=user.id,
        now=now,
        detail={"fields": sorted(changes) + (["password"] if password is not None else [])},
    )
    await session.commit()
    return user


async def authenticate(
    session: AsyncSession, *, email: str, password: str, now: datetime
) -> User | None:
    """Return the active user with these credentials and stamp the login time, else None."""
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    if not security.verify_password(password, user.password_hash if user else None):
        return None
    if user is None or not user.is_active:
        return None
    user.last_login_at = now
    await session.commit()
    return user


async def create_api_token(
    session: AsyncSession, *, actor: Principal, data: TokenCreate, now: datetime
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored in clear."""
    actor.require(Permission.TOKENS_MANAGE)
    if not can_grant(actor.role, data.role):
        raise Forbidden(f"role '{actor.role}' may not create '{data.role}' tokens")
    secret = security.new_api_token()
    token = ApiToken(
        shop_id=actor.shop_id,
        name=data.name,
        role=data.role.value,
        prefix=secret[:12],
        token_hash=security.hash_token(secret),
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(token)
    await session.flush()
    await record_audit(
        session,
        actor=actor,
        action="token.create",
        target_type="api_token",
        target_id=token.id,
        now=now,
        detail={"name": data.name, "role": data.role.value},
    )
    await session.commit()
    return token, secret


async def list_api_tokens(session: AsyncSession, *, actor: Principal) -> Sequence[ApiToken]:
    actor.require(Permission.TOKENS_MANAGE)
    rows = await session.scalars(
        select(ApiToken).where(ApiToken.shop_id == actor.shop_id).order_by(ApiToken.id)
    )
    return rows.all()


async def revoke_api_token(
    session: AsyncSession, *, actor: Principal, token_id: int, now: datetime
) -> ApiToken:
    actor.require(Permission.TOKENS_MANAGE)
    token = await session.get(ApiToken, token_id)
    if token is None or token.shop_id != actor.shop_id:
        raise NotFound(f"no API token {token_id}", code="token_not_found")
    if token.revoked_at is None:
        token.revoked_at = now
        await record_audit(
            session,
            actor=actor,
            action="token.revoke",
            target_type="api_token",
            target_id=token.id,
            now=now,
        )
        await session.commit()
    return token


async def resolve_api_token(
    session: AsyncSession, *, secret: str, now: datetime
) -> ApiToken | None:
    """The live token with this secret, with its last use stamped, or None."""
    token = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == security.hash_token(secret))
    )
    if token is None or token.revoked_at is not None:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        await session.commit()
    return token


async def list_audit_events(
    session: AsyncSession, *, actor: Principal, limit: int, before_id: int | None
) -> Sequence[AuditEvent]:
    actor.require(Permission.AUDIT_READ)
    query = select(AuditEvent).where(AuditEvent.shop_id == actor.shop_id)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows = await session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))
    return rows.all()


def principal_for_user(user: User) -> Principal:
    return Principal(shop_id=user.shop_id, role=Role(user.role), user_id=user.id, tier=user.tier)


def principal_for_token(token: ApiToken) -> Principal:
    return Principal(shop_id=token.shop_id, role=Role(token.role), token_id=token.id)
