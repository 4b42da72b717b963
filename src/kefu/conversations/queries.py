"""Reading conversations: scoped lookups, filtered lists with search, and message history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import Team, User
from kefu.accounts.permissions import Permission, Role
from kefu.accounts.principal import Principal
from kefu.attachments.service import attachments_by_message
from kefu.conversations.models import Conversation, ConversationTag, Message, Subtask
from kefu.conversations.schemas import ConversationOut, CustomerBrief, MessageOut
from kefu.conversations.status import Channel, Priority, SenderType, Status, SubtaskStatus
from kefu.customers.models import Customer
from kefu.routing.models import RoutingQueue
from kefu.shared.errors import Conflict, NotFound
from kefu.sla.facts import ConversationFacts

ASSIGNABLE_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.SUPERVISOR, Role.AGENT})


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    statuses: tuple[Status, ...] = ()
    channel: Channel | None = None
    priority: Priority | None = None
    assignee: str | None = None  # "me", "none", or a user id
    team_id: int | None = None
    tag: str | None = None
    customer_id: int | None = None
    query: str | None = None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(actor: Principal, filters: ConversationFilter) -> Select[tuple[Conversation]]:
    query = select(Conversation).where(Conversation.shop_id == actor.shop_id)
    if filters.statuses:
        query = query.where(Conversation.status.in_([s.value for s in filters.statuses]))
    if filters.channel is not None:
        query = query.where(Conversation.channel == filters.channel.value)
    if filters.priority is not None:
        query = query.where(Conversation.priority == filters.priority.value)
    if filters.assignee == "me":
        query = query.where(Conversation.assignee_id == actor.user_id)
    elif filters.assignee == "none":
        query = query.where(Conversation.assignee_id.is_(None))
    elif filters.assignee is not None:
        query = query.where(Conversation.assignee_id == int(filters.assignee))
    if filters.team_id is not None:
        query = query.where(Conversation.team_id == filters.team_id)
    if filters.customer_id is not None:
        query = query.where(Conversation.customer_id == filters.customer_id)
    if filters.tag:
        query = query.where(
            exists().where(
                ConversationTag.conversation_id == Conversation.id,
                ConversationTag.name == filters.tag,
            )
        )
    if filters.query:
        pattern = _like(filters.query.strip())
        query = query.where(
            or_(
                Conversation.subject.ilike(pattern, escape="\\"),
                exists().where(
                    Message.conversation_id == Conversation.id,
                    Message.body.ilike(pattern, escape="\\"),
                ),
                exists().where(
                    Customer.id == Conversation.customer_id,
                    or_(
                        Customer.name.ilike(pattern, escape="\\"),
                        Customer.email.ilike(pattern, escape="\\"),
                    ),
                ),
            )
        )
    return query


async def list_conversations(
    session: AsyncSession,
    *,
    actor: Principal,
    filters: ConversationFilter,
    limit: int,
    offset: int,
) -> tuple[list[ConversationOut], int]:
    """One page, newest activity first, and the total number matching."""
    actor.require(Permission.CONVERSATIONS_READ)
    base = _filtered(actor, filters)
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.scalars(
        base.order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return await describe(session, list(rows.all())), total


async def get_conversation(
    session: AsyncSession, *, shop_id: int, conversation_id: int
) -> Conversation | None:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.shop_id != shop_id:
        return None
    return conversation


async def require_conversation(
    session: AsyncSession, *, actor: Principal, conversation_id: int
) -> Conversation:
    actor.require(Permission.CONVERSATIONS_READ)
    conversation = await get_conversation(
        session, shop_id=actor.shop_id, conversation_id=conversation_id
    )
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id}", code="conversation_not_found")
    return conversation


async def describe(
    session: AsyncSession, conversations: list[Conversation]
) -> list[ConversationOut]:
    """Join customers, assignees, tags and last message previews in four queries for the page."""
    if not conversations:
        return []
    ids = [c.id for c in conversations]
    customers = {
        c.id: c
        for c in await session.scalars(
            select(Customer).where(Customer.id.in_({c.customer_id for c in conversations}))
        )
    }
    assignee_ids = {c.assignee_id for c in conversations if c.assignee_id is not None}
    names: dict[int, str] = {}
    if assignee_ids:
        names = dict(
            (await session.execute(select(User.id, User.name).where(User.id.in_(assignee_ids))))
            .tuples()
            .all()
        )
    tags: dict[int, list[str]] = {i: [] for i in ids}
    for conversation_id, name in (
        await session.execute(
            select(ConversationTag.conversation_id, ConversationTag.name)
            .where(ConversationTag.conversation_id.in_(ids))
            .order_by(ConversationTag.name)
        )
    ).tuples():
        tags[conversation_id].append(name)
    last_ids = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(ids), Message.is_internal.is_(False))
        .group_by(Message.conversation_id)
    )
    last = (
        await session.execute(
            select(Message.conversation_id, Message.id, Message.body).where(
                Message.id.in_(last_ids)
            )
        )
    ).all()
    previews = {row.conversation_id: row.body for row in last}
    files_only = {row.id: row.conversation_id for row in last if not row.body}
    # A message of files alone is previewed by its first file's name.
    for message_id, files in (await attachments_by_message(session, list(files_only))).items():
        previews[files_only[message_id]] = f"📎 {files[0].name}"
    unanswered = await _unanswered(session, ids)
    out = []
    for c in conversations:
        customer = customers[c.customer_id]
        out.append(
            ConversationOut(
                id=c.id,
                channel=Channel(c.channel),
                status=Status(c.status),
                priority=Priority(c.priority),
                subject=c.subject,
                customer=CustomerBrief(
                    id=customer.id, name=customer.name, vip_level=customer.vip_level
                ),
                assignee_id=c.assignee_id,
                assignee_name=names.get(c.assignee_id) if c.assignee_id else None,
                team_id=c.team_id,
                tags=tags[c.id],
                message_count=c.message_count,
                created_at=c.created_at,
                updated_at=c.updated_at,
                last_message_at=c.last_message_at,
                first_response_at=c.first_response_at,
                resolved_at=c.resolved_at,
                last_message_preview=previews.get(c.id, "")[:120],
                unanswered=unanswered.get(c.id, 0),
                queue_id=c.queue_id,
                queued_at=c.queued_at,
                min_tier=c.min_tier,
                intent=c.intent,
                angry=c.angry,
                sla_due_at=c.sla_due_at,
            )
        )
    return out


async def _unanswered(session: AsyncSession, ids: list[int]) -> dict[int, int]:
    """Customer messages since the last public reply (by an agent or the bot), per conversation:
    what is waiting for an answer."""
    last_reply = (
        select(
            Message.conversation_id.label("conversation_id"),
            func.max(Message.id).label("message_id"),
        )
        .where(
            Message.conversation_id.in_(ids),
            Message.sender_type.in_([SenderType.AGENT.value, SenderType.BOT.value]),
            Message.is_internal.is_(False),
        )
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = await session.execute(
        select(Message.conversation_id, func.count())
        .outerjoin(last_reply, last_reply.c.conversation_id == Message.conversation_id)
        .where(
            Message.conversation_id.in_(ids),
            Message.sender_type == SenderType.CUSTOMER.value,
            Message.id > func.coalesce(last_reply.c.message_id, 0),
        )
        .group_by(Message.conversation_id)
    )
    return dict(rows.tuples().all())


async def list_messages(
    session: AsyncSession,
    *,
    actor: Principal,
    conversation_id: int,
    after_id: int | None,
    limit: int,
) -> Sequence[Message]:
    """Messages in order; ``after_id`` lets a client catch up from the last one it has."""
    await require_conversation(session, actor=actor, conversation_id=conversation_id)
    query = select(Message).where(Message.conversation_id == conversation_id)
    if after_id is not None:
        query = query.where(Message.id > after_id)
    rows = await session.scalars(query.order_by(Message.id).limit(limit))
    return rows.all()


async def latest_customer_message(
    session: AsyncSession, *, actor: Principal, conversation_id: int
) -> Message | None:
    """The customer's newest message in the conversation (what agent assist answers), if any."""
    await require_conversation(session, actor=actor, conversation_id=conversation_id)
    message: Message | None = await session.scalar(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender_type == SenderType.CUSTOMER.value,
            Message.is_internal.is_(False),
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
    return message


async def message_views(session: AsyncSession, messages: Sequence[Message]) -> list[MessageOut]:
    """Messages as the API shows them, each with its files."""
    files = await attachments_by_message(session, [m.id for m in messages])
    views = []
    for message in messages:
        view = MessageOut.model_validate(message)
        view.attachments = files.get(message.id, [])
        views.append(view)
    return views


async def list_tags(session: AsyncSession, *, actor: Principal) -> list[str]:
    actor.require(Permission.CONVERSATIONS_READ)
    rows = await session.scalars(
        select(ConversationTag.name)
        .where(ConversationTag.shop_id == actor.shop_id)
        .distinct()
        .order_by(ConversationTag.name)
    )
    return list(rows.all())


async def list_transfer_targets(
    session: AsyncSession, *, actor: Principal
) -> tuple[Sequence[User], Sequence[Team]]:
    """Who a conversation can be handed to: the shop's active users that take conversations,
    and its teams, both by name."""
    actor.require(Permission.CONVERSATIONS_READ)
    users = await session.scalars(
        select(User)
        .where(
            User.shop_id == actor.shop_id,
            User.is_active.is_(True),
            User.role.in_(sorted(ASSIGNABLE_ROLES)),
        )
        .order_by(User.name, User.id)
    )
    teams = await session.scalars(
        select(Team).where(Team.shop_id == actor.shop_id).order_by(Team.name)
    )
    return users.all(), teams.all()


async def list_transfer_queues(
    session: AsyncSession, *, actor: Principal
) -> Sequence[RoutingQueue]:
    """The shop's routing queues a conversation can be sent back to, in the shop's order."""
    actor.require(Permission.CONVERSATIONS_READ)
    rows = await session.scalars(
        select(RoutingQueue)
        .where(RoutingQueue.shop_id == actor.shop_id)
        .order_by(RoutingQueue.position, RoutingQueue.id)
    )
    return rows.all()


async def require_no_open_subtasks(session: AsyncSession, *, conversation_id: int) -> None:
    """Conflict while another department still works on the conversation."""
    open_ = await session.scalar(
        select(func.count())
        .select_from(Subtask)
        .where(
            Subtask.conversation_id == conversation_id,
            Subtask.status == SubtaskStatus.OPEN.value,
        )
    )
    if open_:
        raise Conflict(
            f"{open_} sub-task(s) still open",
            code="subtasks_open",
            details={"open_subtasks": int(open_)},
        )


async def sla_facts(
    session: AsyncSession, *, conversation_ids: Sequence[int]
) -> list[tuple[ConversationFacts, datetime | None]]:
    """What SLA tracking needs of each conversation, with its stored nearest deadline."""
    if not conversation_ids:
        return []
    c = Conversation
    rows = await session.execute(
        select(
            c.id,
            c.shop_id,
            c.channel,
            c.priority,
            Customer.vip_level,
            c.status,
            c.status_changed_at,
            c.queued_at,
            c.first_response_at,
            c.awaiting_reply_since,
            c.last_agent_reply_at,
            c.resolved_at,
            c.complaint_since,
            c.sla_due_at,
        )
        .join(Customer, Customer.id == c.customer_id)
        .where(c.id.in_(list(conversation_ids)))
    )
    return [
        (
            ConversationFacts(
                conversation_id=row.id,
                shop_id=row.shop_id,
                channel=row.channel,
                priority=row.priority,
                customer_level=row.vip_level,
                status=row.status,
                status_changed_at=row.status_changed_at,
                queued_at=row.queued_at,
                first_response_at=row.first_response_at,
                awaiting_reply_since=row.awaiting_reply_since,
                last_agent_reply_at=row.last_agent_reply_at,
                resolved_at=row.resolved_at,
                complaint_since=row.complaint_since,
            ),
            row.sla_due_at,
        )
        for row in rows
    ]


async def recently_changed(session: AsyncSession, *, since: datetime, limit: int) -> list[int]:
    """Conversations updated since ``since`` (oldest first): what a sweep re-checks."""
    rows = await session.scalars(
        select(Conversation.id)
        .where(Conversation.updated_at >= since)
        .order_by(Conversation.updated_at)
        .limit(limit)
    )
    return list(rows)
