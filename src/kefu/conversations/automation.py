"""Changes automation makes to a conversation — the bot's messages and notes, a status or a
higher priority — in the caller's transaction, with their events published on its commit.

The bot service calls these so that its reply, its logs and its changes to commerce data are
one transaction: either the customer sees the answer and the log says why, or neither.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.conversations.models import Conversation, Message
from kefu.conversations.service import conversation_event, message_event
from kefu.conversations.status import Priority, SenderType, Status, can_transition
from kefu.shared.events import emit_on_commit

_PRIORITY_ORDER = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)


async def add_bot_message(
    session: AsyncSession,
    *,
    conversation: Conversation,
    body: str,
    now: datetime,
    internal: bool = False,
) -> Message:
    """A message from the bot (``internal``: a note only agents see). A bot answer is not a
    person's first response, so ``first_response_at`` stays for the agents' SLA."""
    message = Message(
        shop_id=conversation.shop_id,
        conversation_id=conversation.id,
        sender_type=SenderType.BOT.value,
        sender_user_id=None,
        body=body,
        is_internal=internal,
        idempotency_key=None,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    changes: dict[str, Any] = {} if internal else {"last_message_at": now}
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(message_count=Conversation.message_count + 1, updated_at=now, **changes)
        .execution_options(synchronize_session=False)
    )
    emit_on_commit(session, message_event(message, conversation.customer_id))
    return message


def move_status(conversation: Conversation, target: Status, now: datetime) -> bool:
    """Move to ``target`` if the status machine allows it; False (and no change) otherwise.
    The bot moves an answered conversation to ``pending`` (waiting on the customer: out of
    the agents' open queue) and a handed-over one back to ``open``."""
    current = Status(conversation.status)
    if current is target or not can_transition(current, target):
        return False
    conversation.status = target.value
    conversation.status_changed_at = now
    if target is Status.OPEN:
        conversation.resolved_at = conversation.closed_at = None
    conversation.updated_at = now
    return True


def raise_priority(conversation: Conversation, priority: Priority, now: datetime) -> bool:
    """Raise the priority to at least ``priority``; never lowers it. True if it changed."""
    current = Priority(conversation.priority)
    if _PRIORITY_ORDER.index(current) >= _PRIORITY_ORDER.index(priority):
        return False
    conversation.priority = priority.value
    conversation.updated_at = now
    return True


def announce(session: AsyncSession, conversation: Conversation, change: str) -> None:
    """Tell agents (not the customer) about ``change`` once the caller commits: a customer's
    chat would otherwise print a status line after every bot answer."""
    event = conversation_event(conversation, change)
    emit_on_commit(session, dataclasses.replace(event, customer_id=None))
