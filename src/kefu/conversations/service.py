"""Changing conversations: messages with idempotent sends, status, assignment, priority and tags.

Every write use case commits its own transaction; a message is acknowledged only after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.attachments import service as attachments
from kefu.attachments.schemas import AttachmentOut
from kefu.attachments.service import Uploader
from kefu.conversations.models import Conversation, ConversationTag, Message
from kefu.conversations.queries import require_conversation, require_no_open_subtasks
from kefu.conversations.schemas import ConversationCreate, MessageIn
from kefu.conversations.status import (
    COMPLAINT_TAGS,
    Priority,
    SenderType,
    Status,
    can_transition,
    status_after_customer_message,
)
from kefu.customers.models import Customer
from kefu.shared.db import UTCDateTime
from kefu.shared.errors import Conflict, InvalidInput, NotFound
from kefu.shared.events import Event, emit_on_commit


class ConversationLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def shop_id(self) -> int: ...
    @property
    def customer_id(self) -> int: ...
    @property
    def status(self) -> str: ...


async def _existing(session: AsyncSession, *, shop_id: int, key: str | None) -> Message | None:
    if key is None:
        return None
    message: Message | None = await session.scalar(
        select(Message).where(Message.shop_id == shop_id, Message.idempotency_key == key)
    )
    return message


def _replay(message: Message, conversation_id: int) -> Message:
    if message.conversation_id != conversation_id:
        raise Conflict(
            "idempotency key already used in another conversation", code="idempotency_key_reused"
        )
    return message


def message_event(message: Message, customer_id: int, files: Sequence[AttachmentOut] = ()) -> Event:
    return Event(
        type="message.created",
        shop_id=message.shop_id,
        conversation_id=message.conversation_id,
        customer_id=customer_id,
        data={
            "id": message.id,
            "conversation_id": message.conversation_id,
            "sender_type": message.sender_type,
            "sender_user_id": message.sender_user_id,
            "body": message.body,
            "is_internal": message.is_internal,
            "idempotency_key": message.idempotency_key,
            "created_at": message.created_at.isoformat(),
            "attachments": [f.model_dump() for f in files],
        },
    )


def conversation_event(conversation: Conversation, change: str) -> Event:
    return conversation_change_event(
        shop_id=conversation.shop_id,
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        change=change,
        status=conversation.status,
        priority=conversation.priority,
        assignee_id=conversation.assignee_id,
        team_id=conversation.team_id,
    )


def conversation_change_event(
    *, shop_id: int, conversation_id: int, customer_id: int | None, change: str, status: str,
    priority: str, assignee_id: int | None, team_id: int | None,
) -> Event:  # fmt: skip
    """``conversation.updated``, for callers that changed the row without loading it."""
    return Event(
        type="conversation.updated",
        shop_id=shop_id,
        conversation_id=conversation_id,
        customer_id=customer_id,
        data={
            "change": change,
            "status": status,
            "priority": priority,
            "assignee_id": assignee_id,
            "team_id": team_id,
        },
    )


_MESSAGE_COLUMNS = tuple(c.name for c in Message.__table__.columns if c.name != "id")


async def _insert_message(
    session: AsyncSession,
    message: Message,
    customer_id: int,
    *,
    uploader: Uploader | None = None,
    attachment_ids: Sequence[int] = (),
) -> tuple[Message, bool]:
    """Insert and commit; if a send with the same key was stored before, return that message.

    A Core insert rather than the unit of work: this is the hottest write in Kefu. ``message``
    stays detached; it gets its id and is returned. ``attachment_ids`` (uploads of
    ``uploader``) are linked in the same transaction: if one cannot be, nothing is stored."""
    conversation_id, shop_id, key = (
        message.conversation_id,
        message.shop_id,
        message.idempotency_key,
    )
    values = {name: getattr(message, name) for name in _MESSAGE_COLUMNS}
    try:
        result = await session.execute(insert(Message).values(**values).returning(Message.id))
        message.id = result.scalar_one()
        files = await _attach(session, uploader, attachment_ids, message.id)
        emit_on_commit(session, message_event(message, customer_id, files))
        await session.commit()
    except IntegrityError:
        await session.rollback()
        winner = await _existing(session, shop_id=shop_id, key=key)
        if winner is None:
            raise
        return _replay(winner, conversation_id), False
    except InvalidInput:
        await session.rollback()
        raise
    return message, True


async def _attach(
    session: AsyncSession, uploader: Uploader | None, ids: Sequence[int], message_id: int
) -> list[AttachmentOut]:
    if not ids:
        return []
    assert uploader is not None, "attachments need their uploader"
    return await attachments.attach(
        session, uploader=uploader, attachment_ids=ids, message_id=message_id
    )


async def post_message(
    session: AsyncSession,
    *,
    actor: Principal,
    conversation_id: int,
    data: MessageIn,
    now: datetime,
) -> tuple[Message, bool]:
    """Post an agent reply or internal note; returns the message and whether it is new."""
    actor.require(
        Permission.CONVERSATIONS_NOTE if data.internal else Permission.CONVERSATIONS_REPLY
    )
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    # Replays are common here (double-clicked forms, retried integrations): answer them without
    # the failed insert and rollback, which would also expire the caller's loaded objects.
    existing = await _existing(session, shop_id=actor.shop_id, key=data.idempotency_key)
    if existing is not None:
        return _replay(existing, conversation.id), False
    message = Message(
        shop_id=actor.shop_id,
        conversation_id=conversation.id,
        sender_type=SenderType.AGENT.value,
        sender_user_id=actor.user_id,
        body=data.body,
        is_internal=data.internal,
        idempotency_key=data.idempotency_key,
        created_at=now,
    )
    changes: dict[str, Any] = {}
    if not data.internal:
        changes = {
            "last_message_at": now,
            "first_response_at": func.coalesce(
                Conversation.first_response_at, literal(now, UTCDateTime())
            ),
            "awaiting_reply_since": None,
            "last_agent_reply_at": now,
        }
    await _count_message(session, conversation.id, now, changes)
    return await _insert_message(
        session,
        message,
        conversation.customer_id,
        uploader=Uploader.of(actor),
        attachment_ids=data.attachment_ids,
    )


async def _count_message(
    session: AsyncSession, conversation_id: int, now: datetime, changes: dict[str, Any]
) -> None:
    """Bump the counters in SQL, not Python, so concurrent messages never lose an update."""
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(message_count=Conversation.message_count + 1, updated_at=now, **changes)
        .execution_options(synchronize_session=False)
    )


async def add_customer_message(
    session: AsyncSession,
    *,
    conversation: ConversationLike,
    body: str,
    idempotency_key: str | None,
    now: datetime,
    attachment_ids: Sequence[int] = (),
) -> tuple[Message, bool]:
    """Record a message from the customer; it wakes a pending, resolved or closed conversation.
    ``attachment_ids`` must be the customer's own unsent uploads."""
    message = Message(
        shop_id=conversation.shop_id,
        conversation_id=conversation.id,
        sender_type=SenderType.CUSTOMER.value,
        sender_user_id=None,
        body=body,
        is_internal=False,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    changes: dict[str, Any] = {"last_message_at": now, "awaiting_reply_since": awaiting(now)}
    if Status(conversation.status) is not Status.OPEN:
        target = status_after_customer_message(Status(conversation.status))
        changes.update(status=target.value, resolved_at=None, closed_at=None, status_changed_at=now)
        if Status(conversation.status) in (Status.RESOLVED, Status.CLOSED):
            changes["reopen_count"] = Conversation.reopen_count + 1
    await _count_message(session, conversation.id, now, changes)
    uploader = Uploader(shop_id=conversation.shop_id, customer_id=conversation.customer_id)
    return await _insert_message(
        session,
        message,
        conversation.customer_id,
        uploader=uploader,
        attachment_ids=attachment_ids,
    )


async def open_conversation(
    session: AsyncSession, *, actor: Principal, data: ConversationCreate, now: datetime
) -> tuple[Conversation, bool]:
    """Open a conversation with the customer's first message; replays return the original."""
    actor.require(Permission.CONVERSATIONS_MANAGE)
    customer = await session.get(Customer, data.customer_id)
    if customer is None or customer.shop_id != actor.shop_id:
        raise NotFound(f"no customer {data.customer_id}", code="customer_not_found")
    return await start_conversation(session, shop_id=actor.shop_id, data=data, now=now)


async def start_conversation(
    session: AsyncSession,
    *,
    shop_id: int,
    data: ConversationCreate,
    now: datetime,
    attachment_ids: Sequence[int] = (),
) -> tuple[Conversation, bool]:
    """Open a conversation for a customer already known to belong to ``shop_id`` (channels call
    this directly); the body is the customer's first message, which may carry the customer's
    own unsent uploads (``attachment_ids``). Replays return the original."""
    existing = await _existing(session, shop_id=shop_id, key=data.idempotency_key)
    if existing is not None:
        conversation = await session.get(Conversation, existing.conversation_id)
        assert conversation is not None
        return conversation, False
    conversation = Conversation(
        shop_id=shop_id,
        channel=data.channel.value,
        customer_id=data.customer_id,
        subject=data.subject,
        status=Status.OPEN.value,
        priority=data.priority.value,
        message_count=1,
        created_at=now,
        updated_at=now,
        last_message_at=now,
        awaiting_reply_since=now,
        status_changed_at=now,
    )
    session.add(conversation)
    await session.flush()
    message = Message(
        shop_id=shop_id,
        conversation_id=conversation.id,
        sender_type=SenderType.CUSTOMER.value,
        body=data.body,
        is_internal=False,
        idempotency_key=data.idempotency_key,
        created_at=now,
    )
    session.add(message)
    uploader = Uploader(shop_id=shop_id, customer_id=data.customer_id)
    try:
        await session.flush()
        files = await _attach(session, uploader, attachment_ids, message.id)
        emit_on_commit(session, conversation_event(conversation, "created"))
        emit_on_commit(session, message_event(message, data.customer_id, files))
        await session.commit()
    except InvalidInput:
        await session.rollback()
        raise
    except IntegrityError:
        await session.rollback()
        winner = await _existing(session, shop_id=shop_id, key=data.idempotency_key)
        if winner is None:
            raise
        original = await session.get(Conversation, winner.conversation_id)
        assert original is not None
        return original, False
    return conversation, True


def _apply_status(conversation: Conversation, target: Status, now: datetime) -> None:
    if target is Status.RESOLVED:
        conversation.resolved_at = now
    elif target is Status.CLOSED:
        conversation.closed_at = now
    elif target is Status.OPEN:
        conversation.resolved_at = conversation.closed_at = None
    if target in (Status.RESOLVED, Status.CLOSED) and conversation.assignee_id is None:
        conversation.queued_at = None  # it waits for nobody any more
    conversation.status = target.value
    conversation.status_changed_at = now


def awaiting(now: datetime) -> Any:
    """SQL for "the customer waits for an answer since": kept if already waiting, else now."""
    return func.coalesce(Conversation.awaiting_reply_since, literal(now, UTCDateTime()))


async def change_status(
    session: AsyncSession,
    *,
    actor: Principal,
    conversation_id: int,
    status: Status,
    now: datetime,
) -> Conversation:
    actor.require(Permission.CONVERSATIONS_MANAGE)
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    current = Status(conversation.status)
    if current is status:
        return conversation
    if not can_transition(current, status):
        raise Conflict(
            f"cannot move a conversation from {current} to {status}",
            code="invalid_transition",
            details={"from": current, "to": status},
        )
    if status in (Status.RESOLVED, Status.CLOSED):
        await require_no_open_subtasks(session, conversation_id=conversation.id)
    if current in (Status.RESOLVED, Status.CLOSED) and status in (Status.OPEN, Status.PENDING):
        conversation.reopen_count = (conversation.reopen_count or 0) + 1
    _apply_status(conversation, status, now)
    conversation.updated_at = now
    emit_on_commit(session, conversation_event(conversation, "status"))
    await session.commit()
    return conversation


async def set_priority(
    session: AsyncSession,
    *,
    actor: Principal,
    conversation_id: int,
    priority: Priority,
    now: datetime,
) -> Conversation:
    actor.require(Permission.CONVERSATIONS_MANAGE)
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    conversation.priority = priority.value
    conversation.updated_at = now
    emit_on_commit(session, conversation_event(conversation, "priority"))
    await session.commit()
    return conversation


async def change_tags(
    session: AsyncSession,
    *,
    actor: Principal,
    conversation_id: int,
    add: list[str],
    remove: list[str],
    now: datetime,
) -> list[str]:
    actor.require(Permission.CONVERSATIONS_MANAGE)
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    current = set(
        await session.scalars(
            select(ConversationTag.name).where(ConversationTag.conversation_id == conversation.id)
        )
    )
    if remove:
        await session.execute(
            delete(ConversationTag).where(
                ConversationTag.conversation_id == conversation.id, ConversationTag.name.in_(remove)
            )
        )
    for name in sorted(set(add) - current):
        session.add(
            ConversationTag(conversation_id=conversation.id, name=name, shop_id=actor.shop_id)
        )
    if conversation.complaint_since is None and COMPLAINT_TAGS & {t.casefold() for t in add}:
        conversation.complaint_since = now
    conversation.updated_at = now
    emit_on_commit(session, conversation_event(conversation, "tags"))
    await session.commit()
    return sorted((current - set(remove)) | set(add))
