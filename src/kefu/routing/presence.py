"""Agents' presence for routing (online / away / offline), set by the agent and by inactivity,
and their routing profile (capacity, peak squad, skills).

Presence is stored per agent so every worker's router sees the same answer. The workspace
heartbeats while it is open; an agent not heard from for ``SILENT_AFTER`` goes offline
automatically, and comes back online with the next heartbeat (only if it was automatic: an
agent who chose "offline" or "away" stays so until they change it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import User
from kefu.accounts.permissions import Permission, Role
from kefu.accounts.principal import Principal
from kefu.routing.models import AgentState, PresenceSpan
from kefu.shared.errors import InvalidInput, NotFound
from kefu.shared.events import Event, emit_on_commit

SILENT_AFTER = timedelta(seconds=90)
ROUTABLE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})


class Presence(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


def presence_event(state: AgentState) -> Event:
    return Event(
        type="agent.presence",
        shop_id=state.shop_id,
        data={
            "user_id": state.user_id,
            "presence": state.presence,
            "auto": state.presence_auto,
        },
    )


async def agent_state(
    session: AsyncSession, *, shop_id: int, user_id: int, now: datetime
) -> AgentState:
    """The agent's routing row, created (offline) on first use."""
    state = await session.get(AgentState, user_id)
    if state is None:
        state = AgentState(
            user_id=user_id,
            shop_id=shop_id,
            presence=Presence.OFFLINE.value,
            presence_auto=True,
            max_chats=5,
            peak_squad=False,
            updated_at=now,
        )
        session.add(state)
        await session.flush()
    return state


async def my_state(session: AsyncSession, *, actor: Principal, now: datetime) -> AgentState:
    """The caller's own routing row (people who take conversations only)."""
    actor.require(Permission.CONVERSATIONS_MANAGE)
    if actor.user_id is None or actor.role not in ROUTABLE_ROLES:
        raise InvalidInput("only agents and supervisors have a presence", code="not_assignable")
    state = await agent_state(session, shop_id=actor.shop_id, user_id=actor.user_id, now=now)
    await session.commit()
    return state


async def record_span(
    session: AsyncSession, *, shop_id: int, user_ids: list[int], presence: str, now: datetime
) -> None:
    """End the agents' open presence spans at ``now`` and open one for ``presence`` (offline
    time has no span). Call in the transaction that changes their presence."""
    if not user_ids:
        return
    await session.execute(
        update(PresenceSpan)
        .where(PresenceSpan.user_id.in_(user_ids), PresenceSpan.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    if presence != Presence.OFFLINE.value:
        session.add_all(
            PresenceSpan(shop_id=shop_id, user_id=u, presence=presence, started_at=now)
            for u in user_ids
        )


async def _change(
    session: AsyncSession, state: AgentState, presence: Presence, *, auto: bool, now: datetime
) -> bool:
    if state.presence == presence.value and state.presence_auto == auto:
        return False
    if state.presence != presence.value:
        await record_span(
            session,
            shop_id=state.shop_id,
            user_ids=[state.user_id],
            presence=presence.value,
            now=now,
        )
    state.presence = presence.value
    state.presence_auto = auto
    state.presence_changed_at = now
    state.updated_at = now
    return True


async def set_presence(
    session: AsyncSession, *, actor: Principal, presence: Presence, auto: bool, now: datetime
) -> AgentState:
    """The agent sets their own presence (``auto``: the workspace did, after inactivity or on
    the agent's return, so a later heartbeat may undo it). Commits; the event follows."""
    actor.require(Permission.CONVERSATIONS_MANAGE)
    if actor.user_id is None or actor.role not in ROUTABLE_ROLES:
        raise InvalidInput("only agents and supervisors have a presence", code="not_assignable")
    if auto and presence is Presence.OFFLINE:
        raise InvalidInput("inactivity sets away, not offline", code="invalid_presence")
    state = await agent_state(session, shop_id=actor.shop_id, user_id=actor.user_id, now=now)
    if auto and not state.presence_auto and state.presence != Presence.ONLINE.value:
        # The agent chose away or offline themselves: activity does not override that.
        await session.rollback()
        await session.refresh(state)  # the rollback expired it; callers read it afterwards
        return state
    state.last_seen_at = now
    if await _change(session, state, presence, auto=auto, now=now):
        emit_on_commit(session, presence_event(state))
    await session.commit()
    return state


async def heartbeat(session: AsyncSession, *, actor: Principal, now: datetime) -> None:
    """The agent's workspace is open: note it, and bring back an agent whom silence (not
    their choice) had taken offline. Commits."""
    if actor.user_id is None or actor.role not in ROUTABLE_ROLES:
        return
    state = await agent_state(session, shop_id=actor.shop_id, user_id=actor.user_id, now=now)
    state.last_seen_at = now
    if state.presence == Presence.OFFLINE.value and state.presence_auto:
        await _change(session, state, Presence.ONLINE, auto=True, now=now)
        emit_on_commit(session, presence_event(state))
    await session.commit()


async def expire_silent(session: AsyncSession, *, now: datetime) -> int:
    """Take agents not heard from for ``SILENT_AFTER`` offline (automatically); commits and
    returns how many. Guarded, so concurrent sweepers change (and announce) each once."""
    rows = (
        await session.execute(
            update(AgentState)
            .where(
                AgentState.presence != Presence.OFFLINE.value,
                AgentState.last_seen_at < now - SILENT_AFTER,
            )
            .values(presence=Presence.OFFLINE.value, presence_auto=True, presence_changed_at=now)
            .returning(AgentState.user_id, AgentState.shop_id)
            .execution_options(synchronize_session=False)
        )
    ).all()
    by_shop: dict[int, list[int]] = {}
    for user_id, shop_id in rows:
        by_shop.setdefault(shop_id, []).append(user_id)
    for shop_id, user_ids in by_shop.items():
        await record_span(
            session, shop_id=shop_id, user_ids=user_ids, presence=Presence.OFFLINE.value, now=now
        )
    for user_id, shop_id in rows:
        emit_on_commit(
            session,
            Event(
                type="agent.presence",
                shop_id=shop_id,
                data={"user_id": user_id, "presence": Presence.OFFLINE.value, "auto": True},
            ),
        )
    await session.commit()
    return len(rows)


async def routable_user(session: AsyncSession, *, shop_id: int, user_id: int) -> User:
    """The shop's active agent or supervisor ``user_id``, for routing settings."""
    user = await session.scalar(select(User).where(User.id == user_id, User.shop_id == shop_id))
    if user is None:
        raise NotFound(f"no user {user_id}", code="user_not_found")
    if Role(user.role) not in ROUTABLE_ROLES:
        raise InvalidInput(f"user {user_id} does not take conversations", code="not_assignable")
    return user
