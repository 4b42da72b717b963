"""Keeping SLA clocks in step with conversations: reconcile the clocks of conversations that
changed, and store each one's nearest deadline for the queue order.

The router's worker calls this after the events that change a conversation (messages, status,
priority, queue) and its sweep re-checks recently changed ones, so a lost event costs one sweep
interval. Timing stays exact either way: clocks are stamped from the conversation's own
timestamps (``status_changed_at``, ``first_response_at``, ...), not from when this runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.conversations.models import Conversation
from kefu.conversations.queries import recently_changed, sla_facts
from kefu.sla import service


async def track(
    session: AsyncSession, *, conversation_ids: Sequence[int], now: datetime
) -> dict[int, datetime | None]:
    """Reconcile these conversations' clocks and store their nearest deadlines; commits."""
    loaded = await sla_facts(session, conversation_ids=conversation_ids)
    if not loaded:
        await session.rollback()
        return {}
    due = await service.reconcile(session, facts=[facts for facts, _ in loaded], now=now)
    for facts, stored in loaded:
        nearest = due.get(facts.conversation_id)
        if nearest != stored:
            await session.execute(
                update(Conversation)
                .where(Conversation.id == facts.conversation_id)
                .values(sla_due_at=nearest)
                .execution_options(synchronize_session=False)
            )
    await session.commit()
    return due


async def track_recent(session: AsyncSession, *, since: datetime, now: datetime) -> int:
    """Re-check conversations changed since ``since``; returns how many."""
    ids = await recently_changed(session, since=since, limit=1000)
    if ids:
        await track(session, conversation_ids=ids, now=now)
    return len(ids)
