"""Routing settings of a shop, as admins edit them: queues, the rules that choose them, agents'
routing profiles (tier, capacity, peak squad, skills) and the shop's routing choices.

Supervisors and above read (``routing.read``); owners and admins change (``routing.manage``).
Every change writes an audit row and commits its own transaction. Ids of another shop, in the
path or in the body, are not found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.models import User
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.routing.models import AgentSkill, AgentState, RoutingQueue, RoutingRule, RoutingSettings
from kefu.routing.presence import ROUTABLE_ROLES, Presence, agent_state, routable_user
from kefu.routing.schemas import (
    AgentProfileOut,
    AgentProfileUpdate,
    QueueIn,
    QueueUpdate,
    RoutingSettingsOut,
    RoutingSettingsUpdate,
    RuleIn,
    RuleUpdate,
)
from kefu.shared.errors import Conflict, InvalidInput, NotFound
from kefu.shared.events import Event, emit_on_commit


def access_routing(actor: Principal, *, write: bool = False) -> None:
    """Reading takes ``routing.read`` (supervisors and above), changing ``routing.manage``."""
    actor.require(Permission.ROUTING_MANAGE if write else Permission.ROUTING_READ)


async def _audit(
    session: AsyncSession,
    actor: Principal,
    action: str,
    target: tuple[str, object],
    now: datetime,
    detail: dict[str, Any],
) -> None:
    target_type, target_id = target
    await accounts.record_audit(
        session,
        actor=actor,
        action=f"routing.{action}",
        target_type=target_type,
        target_id=target_id,
        now=now,
        detail=detail,
    )
    # Every change may give someone room or a skill: the router gives out waiting
    # conversations as soon as it commits, not at the next sweep.
    emit_on_commit(
        session, Event(type="routing.changed", shop_id=actor.shop_id, data={"action": action})
    )


def _apply(row: object, changes: dict[str, Any]) -> list[str]:
    """Set the values that differ; the names of those that changed."""
    changed = [name for name, value in changes.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, changes[name])
    return changed


# ---- queues ------------------------------------------------------------------------------


async def list_queues(session: AsyncSession, *, actor: Principal) -> Sequence[RoutingQueue]:
    access_routing(actor)
    rows = await session.scalars(
        select(RoutingQueue)
        .where(RoutingQueue.shop_id == actor.shop_id)
        .order_by(RoutingQueue.position, RoutingQueue.id)
    )
    return rows.all()


async def get_queue(session: AsyncSession, *, shop_id: int, queue_id: int) -> RoutingQueue | None:
    queue = await session.get(RoutingQueue, queue_id)
    return queue if queue is not None and queue.shop_id == shop_id else None


async def require_queue(session: AsyncSession, *, actor: Principal, queue_id: int) -> RoutingQueue:
    access_routing(actor)
    queue = await get_queue(session, shop_id=actor.shop_id, queue_id=queue_id)
    if queue is None:
        raise NotFound(f"no queue {queue_id}", code="queue_not_found")
    return queue


async def _check_unique(
    session: AsyncSession, *, shop_id: int, changes: dict[str, Any], except_id: int | None = None
) -> None:
    """A queue's name and its skill code are each the shop's only one."""
    for name in ("name", "skill"):
        if name not in changes:
            continue
        holder = await session.scalar(
            select(RoutingQueue.id).where(
                RoutingQueue.shop_id == shop_id, getattr(RoutingQueue, name) == changes[name]
            )
        )
        if holder is not None and holder != except_id:
            raise Conflict(
                f"a queue with {name} '{changes[name]}' exists",
                code=f"queue_{name}_taken",
                details={name: changes[name]},
            )


async def _commit_queue(session: AsyncSession, name: str) -> None:
    try:
        await session.commit()
    except IntegrityError:  # another admin took the name meanwhile
        await session.rollback()
        raise Conflict(f"a queue named '{name}' exists", code="queue_name_taken") from None


async def _clear_other_defaults(session: AsyncSession, queue: RoutingQueue) -> None:
    await session.execute(
        update(RoutingQueue)
        .where(RoutingQueue.shop_id == queue.shop_id, RoutingQueue.id != queue.id)
        .values(is_default=False)
    )


async def create_queue(
    session: AsyncSession, *, actor: Principal, data: QueueIn, now: datetime
) -> RoutingQueue:
    access_routing(actor, write=True)
    values = data.model_dump(mode="json")
    await _check_unique(session, shop_id=actor.shop_id, changes=values)
    queue = RoutingQueue(shop_id=actor.shop_id, created_at=now, updated_at=now, **values)
    session.add(queue)
    await session.flush()
    if queue.is_default:
        await _clear_other_defaults(session, queue)
    await _audit(session, actor, "queue.create", ("routing_queue", queue.id), now, values)
    await _commit_queue(session, queue.name)
    return queue


async def update_queue(
    session: AsyncSession, *, actor: Principal, queue_id: int, data: QueueUpdate, now: datetime
) -> RoutingQueue:
    access_routing(actor, write=True)
    queue = await require_queue(session, actor=actor, queue_id=queue_id)
    changes = data.model_dump(exclude_unset=True, mode="json")
    await _check_unique(session, shop_id=actor.shop_id, changes=changes, except_id=queue.id)
    changed = _apply(queue, changes)
    if not changed:
        return queue
    queue.updated_at = now
    if queue.is_default:
        await _clear_other_defaults(session, queue)
    detail = {name: changes[name] for name in changed}
    await _audit(session, actor, "queue.update", ("routing_queue", queue.id), now, detail)
    await _commit_queue(session, queue.name)
    return queue


async def delete_queue(
    session: AsyncSession, *, actor: Principal, queue_id: int, now: datetime
) -> None:
    """Delete the queue with its rules and skills; its waiting conversations stay queued,
    without a queue, for the default routing."""
    access_routing(actor, write=True)
    queue = await require_queue(session, actor=actor, queue_id=queue_id)
    detail = {"name": queue.name, "skill": queue.skill}
    await _audit(session, actor, "queue.delete", ("routing_queue", queue.id), now, detail)
    await session.delete(queue)
    await session.commit()


# ---- rules -------------------------------------------------------------------------------


async def list_rules(session: AsyncSession, *, actor: Principal) -> Sequence[RoutingRule]:
    """The shop's rules in the order they are tried."""
    access_routing(actor)
    rows = await session.scalars(
        select(RoutingRule)
        .where(RoutingRule.shop_id == actor.shop_id)
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    return rows.all()


async def require_rule(session: AsyncSession, *, actor: Principal, rule_id: int) -> RoutingRule:
    access_routing(actor)
    rule = await session.get(RoutingRule, rule_id)
    if rule is None or rule.shop_id != actor.shop_id:
        raise NotFound(f"no routing rule {rule_id}", code="rule_not_found")
    return rule


async def create_rule(
    session: AsyncSession, *, actor: Principal, data: RuleIn, now: datetime
) -> RoutingRule:
    """Add a rule; without a position it is tried last."""
    access_routing(actor, write=True)
    await require_queue(session, actor=actor, queue_id=data.queue_id)
    values = data.model_dump(mode="json")
    if data.position is None:
        last = await session.scalar(
            select(func.max(RoutingRule.position)).where(RoutingRule.shop_id == actor.shop_id)
        )
        values["position"] = 0 if last is None else last + 1
    rule = RoutingRule(shop_id=actor.shop_id, created_at=now, updated_at=now, **values)
    session.add(rule)
    await session.flush()
    await _audit(session, actor, "rule.create", ("routing_rule", rule.id), now, values)
    await session.commit()
    return rule


async def update_rule(
    session: AsyncSession, *, actor: Principal, rule_id: int, data: RuleUpdate, now: datetime
) -> RoutingRule:
    access_routing(actor, write=True)
    rule = await require_rule(session, actor=actor, rule_id=rule_id)
    changes = data.model_dump(exclude_unset=True)
    if "queue_id" in changes:
        await require_queue(session, actor=actor, queue_id=changes["queue_id"])
    changed = _apply(rule, changes)
    if not changed:
        return rule
    rule.updated_at = now
    detail = {name: changes[name] for name in changed}
    await _audit(session, actor, "rule.update", ("routing_rule", rule.id), now, detail)
    await session.commit()
    return rule


async def delete_rule(
    session: AsyncSession, *, actor: Principal, rule_id: int, now: datetime
) -> None:
    access_routing(actor, write=True)
    rule = await require_rule(session, actor=actor, rule_id=rule_id)
    await _audit(session, actor, "rule.delete", ("routing_rule", rule.id), now, {"name": rule.name})
    await session.delete(rule)
    await session.commit()


async def reorder_rules(
    session: AsyncSession, *, actor: Principal, rule_ids: Sequence[int], now: datetime
) -> Sequence[RoutingRule]:
    """Number the rules 0, 1, ... in the order given, which must name each rule of the shop
    exactly once (so an order made before another admin's change is refused, not half-applied).
    """
    access_routing(actor, write=True)
    rules = {rule.id: rule for rule in await list_rules(session, actor=actor)}
    for rule_id in rule_ids:
        if rule_id not in rules:
            raise NotFound(f"no routing rule {rule_id}", code="rule_not_found")
    if len(rule_ids) != len(set(rule_ids)) or set(rule_ids) != set(rules):
        raise InvalidInput("list every rule of the shop exactly once", code="rule_order_incomplete")
    for position, rule_id in enumerate(rule_ids):
        if _apply(rules[rule_id], {"position": position}):
            rules[rule_id].updated_at = now
    await _audit(
        session, actor, "rule.reorder", ("shop", actor.shop_id), now, {"order": list(rule_ids)}
    )
    await session.commit()
    return [rules[rule_id] for rule_id in rule_ids]


async def move_rule(
    session: AsyncSession, *, actor: Principal, rule_id: int, step: int, now: datetime
) -> Sequence[RoutingRule]:
    """Move a rule ``step`` places earlier (negative) or later; at either end it stays."""
    access_routing(actor, write=True)
    order = [rule.id for rule in await list_rules(session, actor=actor)]
    if rule_id not in order:
        raise NotFound(f"no routing rule {rule_id}", code="rule_not_found")
    here = order.index(rule_id)
    order.remove(rule_id)
    order.insert(min(max(here + step, 0), len(order)), rule_id)
    return await reorder_rules(session, actor=actor, rule_ids=order, now=now)


# ---- agents' routing profiles --------------------------------------------------------------


def _profile(user: User, state: AgentState | None, skills: dict[int, int]) -> AgentProfileOut:
    return AgentProfileOut(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        tier=user.tier,
        presence=state.presence if state is not None else Presence.OFFLINE.value,
        max_chats=state.max_chats if state is not None else 5,
        peak_squad=state.peak_squad if state is not None else False,
        skills=skills,
    )


async def _skills(
    session: AsyncSession, *, shop_id: int, user_ids: list[int]
) -> dict[int, dict[int, int]]:
    by_user: dict[int, dict[int, int]] = defaultdict(dict)
    rows = await session.execute(
        select(AgentSkill.user_id, AgentSkill.queue_id, AgentSkill.proficiency)
        .where(AgentSkill.shop_id == shop_id, AgentSkill.user_id.in_(user_ids))
        .order_by(AgentSkill.queue_id)
    )
    for user_id, queue_id, proficiency in rows:
        by_user[user_id][queue_id] = proficiency
    return by_user


async def list_agent_profiles(session: AsyncSession, *, actor: Principal) -> list[AgentProfileOut]:
    """The shop's active agents and supervisors, by name, with their routing profiles."""
    access_routing(actor)
    rows = (
        await session.execute(
            select(User, AgentState)
            .outerjoin(AgentState, AgentState.user_id == User.id)
            .where(
                User.shop_id == actor.shop_id,
                User.is_active.is_(True),
                User.role.in_([role.value for role in ROUTABLE_ROLES]),
            )
            .order_by(User.name, User.id)
        )
    ).all()
    skills = await _skills(session, shop_id=actor.shop_id, user_ids=[u.id for u, _ in rows])
    return [_profile(user, state, skills.get(user.id, {})) for user, state in rows]


async def _replace_skills(
    session: AsyncSession, *, actor: Principal, user_id: int, skills: dict[int, int]
) -> None:
    await session.execute(delete(AgentSkill).where(AgentSkill.user_id == user_id))
    session.add_all(
        AgentSkill(user_id=user_id, queue_id=queue_id, shop_id=actor.shop_id, proficiency=level)
        for queue_id, level in skills.items()
    )


async def update_agent_profile(
    session: AsyncSession,
    *,
    actor: Principal,
    user_id: int,
    data: AgentProfileUpdate,
    now: datetime,
) -> AgentProfileOut:
    """Change an agent's tier, capacity, peak-squad membership or skills (replaced whole)."""
    access_routing(actor, write=True)
    user = await routable_user(session, shop_id=actor.shop_id, user_id=user_id)
    for queue_id in data.skills or {}:
        await require_queue(session, actor=actor, queue_id=queue_id)
    state = await agent_state(session, shop_id=actor.shop_id, user_id=user.id, now=now)
    changes = data.model_dump(exclude_unset=True, mode="json")
    detail: dict[str, Any] = {}
    if "tier" in changes and _apply(user, {"tier": changes["tier"]}):
        detail["tier"] = changes["tier"]
    state_changes = {k: v for k, v in changes.items() if k in ("max_chats", "peak_squad")}
    detail.update({name: state_changes[name] for name in _apply(state, state_changes)})
    if data.skills is not None:
        current = await _skills(session, shop_id=actor.shop_id, user_ids=[user.id])
        if current.get(user.id, {}) != data.skills:
            await _replace_skills(session, actor=actor, user_id=user.id, skills=data.skills)
            detail["skills"] = changes["skills"]
    if detail:
        state.updated_at = now
        await _audit(session, actor, "agent.update", ("user", user.id), now, detail)
        await session.commit()
    skills = await _skills(session, shop_id=actor.shop_id, user_ids=[user.id])
    return _profile(user, state, skills.get(user.id, {}))


# ---- the shop's settings -------------------------------------------------------------------


async def read_settings(session: AsyncSession, *, actor: Principal) -> RoutingSettingsOut:
    """The shop's routing settings; the defaults when never set."""
    access_routing(actor)
    row = await session.get(RoutingSettings, actor.shop_id)
    return RoutingSettingsOut() if row is None else RoutingSettingsOut.model_validate(row)


async def update_settings(
    session: AsyncSession, *, actor: Principal, data: RoutingSettingsUpdate, now: datetime
) -> RoutingSettingsOut:
    access_routing(actor, write=True)
    row = await session.get(RoutingSettings, actor.shop_id)
    if row is None:
        defaults = RoutingSettingsOut().model_dump(mode="json", exclude={"updated_at"})
        row = RoutingSettings(shop_id=actor.shop_id, updated_at=now, **defaults)
        session.add(row)
    changes = data.model_dump(exclude_unset=True, mode="json")
    changed = _apply(row, changes)
    if changed:
        row.updated_at = now
        detail = {name: changes[name] for name in changed}
        await _audit(session, actor, "settings.update", ("shop", actor.shop_id), now, detail)
    await session.commit()
    return RoutingSettingsOut.model_validate(row)
