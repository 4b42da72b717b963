"""Group commit for customer messages: concurrent sends share one transaction.

Every web-chat send is queued; one writer task takes whatever is waiting (up to ``BATCH``),
stores it in a single transaction, and only then resolves each sender's future, so an
acknowledgement still means "committed". Under load this amortises the transaction and
round-trip costs over many messages; with one sender it behaves like a plain commit.
If anything in a batch fails (an idempotency-key clash, a conversation that must be opened),
the batch falls back to the one-message-at-a-time path, which handles every case.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.channels import webchat
from kefu.conversations.models import Conversation, Message
from kefu.conversations.service import awaiting, message_event
from kefu.conversations.status import Channel, Priority, SenderType, Status
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import Event, emit_on_commit

log = logging.getLogger(__name__)

BATCH = 256
# Customers whose open web conversation the writer remembers (a hint, checked on every use);
# past this many it forgets them all and looks them up again.
KNOWN_LIMIT = 50_000
MESSAGES = cast(Table, Message.__table__)


@dataclass(eq=False)  # compared by identity: field equality would make batch filtering O(n²)
class _Send:
    visitor: webchat.Visitor
    body: str
    client_id: str
    done: asyncio.Future[tuple[Message, bool]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class MessageWriter:
    """One per process; ``send`` returns once the message is committed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: asyncio.Queue[_Send] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._known: dict[int, int] = {}  # customer id -> open web conversation id

    async def send(
        self,
        *,
        visitor: webchat.Visitor,
        body: str,
        client_id: str,
        attachment_ids: Sequence[int] = (),
    ) -> tuple[Message, bool]:
        if attachment_ids:
            # Rare, and each needs its files checked and linked: the general path, unbatched.
            # A socket awaits each send before reading its next frame, so order is kept.
            async with self.db.session() as session:
                return await webchat.receive_message(
                    session,
                    visitor=visitor,
                    body=body,
                    client_id=client_id,
                    now=utcnow(),
                    attachment_ids=attachment_ids,
                )
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="kefu-message-writer")
        item = _Send(visitor=visitor, body=body, client_id=client_id)
        await self._queue.put(item)
        return await item.done

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch, utcnow())
            except Exception:
                log.debug("group commit fell back to single writes", exc_info=True)
                await self._write_one_by_one(batch)

    async def _write(self, batch: list[_Send], now: datetime) -> None:
        """Messages to an open conversation, or opening a new one, go in one transaction; the
        rest (reopening a pending or resolved conversation) take the general path afterwards.

        Customers the writer wrote for before skip the lookup: their conversation is taken from
        memory, and the count UPDATE, which only touches conversations still open, confirms it
        in the same statement (an agent may have resolved it since, in any process)."""
        async with self.db.session() as session:
            threads = {
                item.visitor.customer_id: self._known[item.visitor.customer_id]
                for item in batch
                if item.visitor.customer_id in self._known
            }
            unknown = [item for item in batch if item.visitor.customer_id not in threads]
            if unknown:
                found, fresh = await self._threads(session, unknown)
                threads.update(found)
                threads.update(await self._open_conversations(session, unknown, fresh, now))
            counts = Counter(
                threads[item.visitor.customer_id]
                for item in batch
                if item.visitor.customer_id in threads
            )
            still_open = await self._count(session, counts, now)
            fast = [item for item in batch if threads.get(item.visitor.customer_id) in still_open]
            rows = [
                {
                    "shop_id": item.visitor.shop_id,
                    "conversation_id": threads[item.visitor.customer_id],
                    "sender_type": SenderType.CUSTOMER.value,
                    "sender_user_id": None,
                    "body": item.body,
                    "is_internal": False,
                    "idempotency_key": webchat.message_key(item.visitor, item.client_id),
                    "created_at": now,
                }
                for item in fast
            ]
            messages: list[Message] = []
            if rows:
                # The table, not the entity: a Core executemany skips the ORM's per-row
                # bookkeeping (primary-key fetch, identity map), measurable on this hot path.
                statement = insert(MESSAGES).returning(MESSAGES.c.id, sort_by_parameter_order=True)
                ids = (await session.scalars(statement, rows)).all()
                for item, row, message_id in zip(fast, rows, ids, strict=True):
                    message = Message(id=message_id, **row)
                    messages.append(message)
                    emit_on_commit(session, message_event(message, item.visitor.customer_id))
            await session.commit()
        self._remember(threads, still_open)
        for item, message in zip(fast, messages, strict=True):
            if not item.done.done():
                item.done.set_result((message, True))
        written = set(fast)
        await self._write_one_by_one([item for item in batch if item not in written])

    @staticmethod
    async def _open_conversations(
        session: AsyncSession, batch: list[_Send], customers: set[int], now: datetime
    ) -> dict[int, int]:
        """Open one web conversation for each of ``customers``; customer id -> its id."""
        visitors = {item.visitor.customer_id: item.visitor for item in batch}
        rows: list[dict[str, Any]] = [
            {
                "shop_id": visitors[c].shop_id,
                "channel": Channel.WEB.value,
                "customer_id": c,
                "subject": "",
                "status": Status.OPEN.value,
                "priority": Priority.NORMAL.value,
                "assignee_id": None,
                "team_id": None,
                "message_count": 0,
                "created_at": now,
                "updated_at": now,
                "last_message_at": now,
                "first_response_at": None,
                "resolved_at": None,
                "closed_at": None,
                "awaiting_reply_since": now,
                "status_changed_at": now,
            }
            for c in sorted(customers)
        ]
        if not rows:
            return {}
        statement = insert(Conversation).returning(Conversation.id, sort_by_parameter_order=True)
        ids = (await session.scalars(statement, rows)).all()
        for row, conversation_id in zip(rows, ids, strict=True):
            emit_on_commit(
                session,
                Event(
                    type="conversation.updated",
                    shop_id=row["shop_id"],
                    conversation_id=conversation_id,
                    customer_id=row["customer_id"],
                    data={
                        "change": "created",
                        "status": row["status"],
                        "priority": row["priority"],
                        "assignee_id": None,
                        "team_id": None,
                    },
                ),
            )
        return {row["customer_id"]: cid for row, cid in zip(rows, ids, strict=True)}

    @staticmethod
    async def _threads(
        session: AsyncSession, batch: list[_Send]
    ) -> tuple[dict[int, int], set[int]]:
        """(customer id -> their open web conversation, customers who need a new one: none yet
        or the last one closed). Customers with a pending or resolved one are in neither."""
        latest = await session.execute(
            select(Conversation.customer_id, Conversation.id, Conversation.status)
            .where(
                Conversation.customer_id.in_({item.visitor.customer_id for item in batch}),
                Conversation.channel == Channel.WEB.value,
            )
            .order_by(Conversation.id)
        )
        newest = {row.customer_id: (row.id, row.status) for row in latest}
        open_ = {c: cid for c, (cid, status) in newest.items() if status == Status.OPEN.value}
        fresh = {
            item.visitor.customer_id
            for item in batch
            if newest.get(item.visitor.customer_id, (0, Status.CLOSED.value))[1]
            == Status.CLOSED.value
        }
        return open_, fresh

    def _remember(self, threads: dict[int, int], still_open: set[int]) -> None:
        if len(self._known) > KNOWN_LIMIT:
            self._known.clear()
        for customer_id, conversation_id in threads.items():
            if conversation_id in still_open:
                self._known[customer_id] = conversation_id
            else:
                self._known.pop(customer_id, None)

    @staticmethod
    async def _count(session: AsyncSession, counts: Counter[int], now: datetime) -> set[int]:
        """Add ``counts`` (conversation id -> new messages) to the conversations that are still
        open, and return those: one UPDATE per distinct count (nearly always one)."""
        by_count: dict[int, list[int]] = {}
        for conversation_id, count in counts.items():
            by_count.setdefault(count, []).append(conversation_id)
        still_open: set[int] = set()
        for count, conversation_ids in by_count.items():
            updated = await session.scalars(
                update(Conversation)
                .where(
                    Conversation.id.in_(conversation_ids),
                    Conversation.status == Status.OPEN.value,
                )
                .values(
                    message_count=Conversation.message_count + count,
                    updated_at=now,
                    last_message_at=now,
                    awaiting_reply_since=awaiting(now),
                )
                .returning(Conversation.id)
                .execution_options(synchronize_session=False)
            )
            still_open.update(updated.all())
        return still_open

    async def _write_one_by_one(self, batch: list[_Send]) -> None:
        for item in batch:
            if item.done.done():
                continue
            try:
                async with self.db.session() as session:
                    result = await webchat.receive_message(
                        session,
                        visitor=item.visitor,
                        body=item.body,
                        client_id=item.client_id,
                        now=utcnow(),
                    )
                item.done.set_result(result)
            except Exception as exc:
                item.done.set_exception(exc)
