"""Who holds a conversation: assigning it, and transferring it with a note saying why.

Every use case commits its own transaction; events follow the commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import Shop, Team, User
from kefu.accounts.permissions import Permission, Role, Tier
from kefu.accounts.principal import Principal
from kefu.accounts.service import record_audit
from kefu.conversations.models import Conversation, Message
from kefu.conversations.queries import ASSIGNABLE_ROLES, require_conversation
from kefu.conversations.schemas import TransferIn
from kefu.conversations.service import conversation_event, message_event
from kefu.conversations.status import SenderType
from kefu.routing import intake
from kefu.routing.models import RoutingQueue
from kefu.shared.errors import Conflict, InvalidInput, NotFound
from kefu.shared.events import emit_on_commit


async def _require_assignee(session: AsyncSession, *, shop_id: int, user_id: int) -> User:
    """The shop's active user who may take conversations: 404 for another shop's, 422 else."""
    user = await session.get(User, user_id)
    if user is None or user.shop_id != shop_id:
        raise NotFound(f"no user {user_id}", code="user_not_found")
    if not user.is_active or Role(user.role) not in ASSIGNABLE_ROLES:
        raise InvalidInput(f"user {user_id} cannot take conversations", code="not_assignable")
    return user


async def _require_team(session: AsyncSession, *, shop_id: int, team_id: int) -> Team:
    team = await session.get(Team, team_id)
    if team is None or team.shop_id != shop_id:
        raise NotFound(f"no team {team_id}", code="team_not_found")
    return team


async def _require_queue(session: AsyncSession, *, shop_id: int, queue_id: int) -> str:
    queue = await session.get(RoutingQueue, queue_id)
    if queue is None or queue.shop_id != shop_id:
        raise NotFound(f"no queue {queue_id}", code="queue_not_found")
    return queue.name


async def assign_conversation(
    session: AsyncSession,
    *,
    actor: Principal,
    conversation_id: int,
    assignee_id: int | None,
    team_id: int | None,
    now: datetime,
) -> Conversation:
    """Agents take or release conversations themselves; assigning others needs a supervisor."""
    actor.require(Permission.CONVERSATIONS_MANAGE)
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    touches_others = (assignee_id is not None and assignee_id != actor.user_id) or (
        assignee_id is None and conversation.assignee_id not in (None, actor.user_id)
    )
    if touches_others:
        actor.require(Permission.CONVERSATIONS_ASSIGN_ANY)
    if assignee_id is not None:
        await _require_assignee(session, shop_id=actor.shop_id, user_id=assignee_id)
    if team_id is not None:
        await _require_team(session, shop_id=actor.shop_id, team_id=team_id)
    conversation.assignee_id = assignee_id
    conversation.assigned_at = now if assignee_id is not None else conversation.assigned_at
    conversation.team_id = team_id if team_id is not None else conversation.team_id
    conversation.updated_at = now
    emit_on_commit(session, conversation_event(conversation, "assignment"))
    await session.commit()
    return conversation


TIER_ORDER = (Tier.JUNIOR, Tier.SENIOR, Tier.EXPERT)
_TRANSFER_NOTE = {"zh": "转接给 {target}：{note}", "en": "Transferred to {target}: {note}"}


async def _transfer_targets(
    session: AsyncSession, *, actor: Principal, data: TransferIn
) -> list[str]:
    """The names of who receives the conversation, after checking they may."""
    names = []
    if data.assignee_id is not None:
        user = await _require_assignee(session, shop_id=actor.shop_id, user_id=data.assignee_id)
        names.append(user.name)
    if data.team_id is not None:
        team = await _require_team(session, shop_id=actor.shop_id, team_id=data.team_id)
        names.append(team.name)
    return names


async def transfer_conversation(
    session: AsyncSession,
    *,
    actor: Principal,
    conversation_id: int,
    data: TransferIn,
    now: datetime,
) -> tuple[Conversation, Message]:
    """Hand a conversation to a colleague or a team, saying why in an internal note.

    Agents transfer their own conversations, supervisors any. Assigns, writes the note and an
    audit row in one transaction; the events follow the commit."""
    actor.require(Permission.CONVERSATIONS_MANAGE)
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    if conversation.assignee_id is None or conversation.assignee_id != actor.user_id:
        actor.require(Permission.CONVERSATIONS_ASSIGN_ANY)
    names = await _transfer_targets(session, actor=actor, data=data)
    if data.queue_id is not None:
        names.append(await _require_queue(session, shop_id=actor.shop_id, queue_id=data.queue_id))
    team_id = data.team_id if data.team_id is not None else conversation.team_id
    queue_id = data.queue_id if data.queue_id is not None else conversation.queue_id
    if (data.assignee_id, team_id, queue_id) == (
        conversation.assignee_id,
        conversation.team_id,
        conversation.queue_id,
    ):
        raise Conflict("the conversation is already there", code="transfer_unchanged")
    before = {"assignee_id": conversation.assignee_id, "team_id": conversation.team_id}
    conversation.assignee_id, conversation.team_id = data.assignee_id, team_id
    if data.queue_id is not None:
        await intake.enqueue(
            session, conversation=conversation, now=now, queue_id=data.queue_id, restart=True
        )
    if data.assignee_id is not None:
        conversation.assigned_at = now
    conversation.updated_at = now
    note = await _note(
        session, actor=actor, conversation=conversation, now=now,
        template=_TRANSFER_NOTE, target=" / ".join(names), text=data.note,
    )  # fmt: skip
    await record_audit(
        session,
        actor=actor,
        action="conversation.transfer",
        target_type="conversation",
        target_id=conversation.id,
        now=now,
        detail={
            "from": before,
            "to": {"assignee_id": data.assignee_id, "team_id": team_id, "queue_id": queue_id},
        },
    )
    emit_on_commit(session, conversation_event(conversation, "transfer"))
    emit_on_commit(session, message_event(note, conversation.customer_id))
    await session.commit()
    await session.refresh(conversation)
    return conversation, note


async def _note(
    session: AsyncSession, *, actor: Principal, conversation: Conversation, now: datetime,
    template: dict[str, str], target: str, text: str,
) -> Message:  # fmt: skip
    """The internal note saying where the conversation went and why, in the shop's language."""
    # In SQL, as every message count is, so a concurrent message never loses an update.
    conversation.message_count = Conversation.message_count + 1
    shop = await session.get(Shop, actor.shop_id)
    chosen = template["en" if shop is not None and shop.locale == "en" else "zh"]
    note = Message(
        shop_id=actor.shop_id,
        conversation_id=conversation.id,
        sender_type=SenderType.AGENT.value,
        sender_user_id=actor.user_id,
        body=chosen.format(target=target, note=text),
        is_internal=True,
        created_at=now,
    )
    session.add(note)
    await session.flush()
    return note


_ESCALATE_NOTE = {"zh": "升级到{target}：{note}", "en": "Escalated to {target}: {note}"}
_TIER_NAMES = {
    "zh": {Tier.SENIOR: "高级客服", Tier.EXPERT: "专家"},
    "en": {Tier.SENIOR: "a senior agent", Tier.EXPERT: "an expert"},
}


async def escalate_conversation(
    session: AsyncSession, *, actor: Principal, conversation_id: int, note: str, now: datetime
) -> tuple[Conversation, Message]:
    """Raise the lowest tier that may take the conversation one step above its current holder
    (senior, then expert) and put it back in its queue for the router, with a note saying why.
    An expert's conversation cannot go higher (Conflict)."""
    actor.require(Permission.CONVERSATIONS_MANAGE)
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    if conversation.assignee_id not in (None, actor.user_id):
        actor.require(Permission.CONVERSATIONS_ASSIGN_ANY)
    holder = await session.get(User, conversation.assignee_id) if conversation.assignee_id else None
    current = max(
        TIER_ORDER.index(Tier(conversation.min_tier)) if conversation.min_tier else 0,
        TIER_ORDER.index(Tier(holder.tier)) if holder and holder.tier in TIER_ORDER else 0,
    )
    if current + 1 >= len(TIER_ORDER):
        raise Conflict("already with the highest tier", code="escalation_unavailable")
    target = TIER_ORDER[current + 1]
    before = {"assignee_id": conversation.assignee_id, "min_tier": conversation.min_tier}
    conversation.min_tier = target.value
    conversation.assignee_id = None
    await intake.enqueue(session, conversation=conversation, now=now, restart=True)
    conversation.updated_at = now
    shop = await session.get(Shop, actor.shop_id)
    language = "en" if shop is not None and shop.locale == "en" else "zh"
    message = await _note(
        session, actor=actor, conversation=conversation, now=now, template=_ESCALATE_NOTE,
        target=_TIER_NAMES[language][target], text=note,
    )  # fmt: skip
    await record_audit(
        session, actor=actor, action="conversation.escalate", target_type="conversation",
        target_id=conversation.id, now=now, detail={"from": before, "to": target.value},
    )  # fmt: skip
    emit_on_commit(session, conversation_event(conversation, "escalation"))
    emit_on_commit(session, message_event(message, conversation.customer_id))
    await session.commit()
    await session.refresh(conversation)
    return conversation, message
