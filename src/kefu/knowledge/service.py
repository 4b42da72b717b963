"""Canned replies: scoped reads and search, supervisor edits with an audit trail, and filling in
their placeholders for one conversation.

Every agent of the shop reads and uses the shop's replies; writing them takes
``canned_replies.manage`` (supervisors and above). Write use cases commit their own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.commerce import queries as commerce
from kefu.conversations.queries import require_conversation
from kefu.customers.service import get_customer
from kefu.knowledge.models import CannedReply
from kefu.knowledge.placeholders import PlaceholderValues, fill_placeholders
from kefu.knowledge.schemas import CannedReplyIn, CannedReplyUpdate, ReplyLanguage
from kefu.shared.errors import Conflict, NotFound

MAX_RESULTS = 200


def access_canned_replies(actor: Principal, *, write: bool = False) -> None:
    """Reading needs the conversations it is used in; writing needs ``canned_replies.manage``."""
    actor.require(Permission.CANNED_REPLIES_MANAGE if write else Permission.CONVERSATIONS_READ)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_canned_replies(
    session: AsyncSession, *, actor: Principal, query: str | None = None, limit: int = MAX_RESULTS
) -> Sequence[CannedReply]:
    """The shop's replies by shortcut; with ``query``, those whose shortcut or title contains it,
    shortcuts starting with it first (typing ``/退`` lists ``/退货`` before ``/换货退款``)."""
    access_canned_replies(actor)
    statement = select(CannedReply).where(CannedReply.shop_id == actor.shop_id)
    words = (query or "").strip().lower().lstrip("/")
    if words:
        pattern = _like(words)
        statement = statement.where(
            or_(
                CannedReply.shortcut.ilike(f"%{pattern}%", escape="\\"),
                CannedReply.title.ilike(f"%{pattern}%", escape="\\"),
            )
        ).order_by(case((CannedReply.shortcut.like(f"/{pattern}%", escape="\\"), 0), else_=1))
    rows = await session.scalars(
        statement.order_by(CannedReply.shortcut, CannedReply.id).limit(limit)
    )
    return rows.all()


async def get_canned_reply(
    session: AsyncSession, *, shop_id: int, reply_id: int
) -> CannedReply | None:
    reply = await session.get(CannedReply, reply_id)
    if reply is None or reply.shop_id != shop_id:
        return None
    return reply


async def require_canned_reply(
    session: AsyncSession, *, actor: Principal, reply_id: int
) -> CannedReply:
    access_canned_replies(actor)
    reply = await get_canned_reply(session, shop_id=actor.shop_id, reply_id=reply_id)
    if reply is None:
        raise NotFound(f"no canned reply {reply_id}", code="canned_reply_not_found")
    return reply


def _taken(shortcut: str) -> Conflict:
    return Conflict(
        f"the shortcut '{shortcut}' is taken", code="shortcut_taken", details={"shortcut": shortcut}
    )


async def _check_free(
    session: AsyncSession, *, shop_id: int, shortcut: str, except_id: int | None = None
) -> None:
    holder = await session.scalar(
        select(CannedReply.id).where(
            CannedReply.shop_id == shop_id, CannedReply.shortcut == shortcut
        )
    )
    if holder is not None and holder != except_id:
        raise _taken(shortcut)


async def _commit(session: AsyncSession, shortcut: str) -> None:
    try:
        await session.commit()
    except IntegrityError:  # another supervisor took the shortcut meanwhile
        await session.rollback()
        raise _taken(shortcut) from None


async def create_canned_reply(
    session: AsyncSession, *, actor: Principal, data: CannedReplyIn, now: datetime
) -> CannedReply:
    access_canned_replies(actor, write=True)
    await _check_free(session, shop_id=actor.shop_id, shortcut=data.shortcut)
    reply = CannedReply(
        shop_id=actor.shop_id,
        shortcut=data.shortcut,
        title=data.title,
        body=data.body,
        language=data.language.value,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(reply)
    await session.flush()
    await accounts.record_audit(
        session,
        actor=actor,
        action="canned_reply.create",
        target_type="canned_reply",
        target_id=reply.id,
        now=now,
        detail={"shortcut": reply.shortcut},
    )
    await _commit(session, data.shortcut)
    return reply


async def update_canned_reply(
    session: AsyncSession,
    *,
    actor: Principal,
    reply_id: int,
    data: CannedReplyUpdate,
    now: datetime,
) -> CannedReply:
    access_canned_replies(actor, write=True)
    reply = await require_canned_reply(session, actor=actor, reply_id=reply_id)
    changes = data.model_dump(exclude_unset=True)
    if "shortcut" in changes:
        await _check_free(
            session, shop_id=actor.shop_id, shortcut=changes["shortcut"], except_id=reply.id
        )
    changed = [name for name, value in changes.items() if getattr(reply, name) != value]
    if not changed:
        return reply
    for name in changed:
        setattr(reply, name, changes[name])
    reply.updated_at = now
    await accounts.record_audit(
        session,
        actor=actor,
        action="canned_reply.update",
        target_type="canned_reply",
        target_id=reply.id,
        now=now,
        detail={"fields": changed, "shortcut": reply.shortcut},
    )
    await _commit(session, reply.shortcut)
    return reply


async def delete_canned_reply(
    session: AsyncSession, *, actor: Principal, reply_id: int, now: datetime
) -> None:
    access_canned_replies(actor, write=True)
    reply = await require_canned_reply(session, actor=actor, reply_id=reply_id)
    await accounts.record_audit(
        session,
        actor=actor,
        action="canned_reply.delete",
        target_type="canned_reply",
        target_id=reply.id,
        now=now,
        detail={"shortcut": reply.shortcut, "title": reply.title},
    )
    await session.delete(reply)
    await session.commit()


async def placeholder_values(
    session: AsyncSession, *, actor: Principal, conversation_id: int
) -> PlaceholderValues:
    """What the placeholders stand for in this conversation: its customer, the agent writing,
    the customer's latest order (when the actor may read orders) and the shop."""
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    customer = await get_customer(
        session, shop_id=actor.shop_id, customer_id=conversation.customer_id
    )
    agent = await accounts.get_user(session, actor.user_id) if actor.user_id else None
    shop = await accounts.get_shop(session, actor.shop_id)
    order_no = None
    if actor.can(Permission.COMMERCE_READ):
        orders, _total = await commerce.list_orders(
            session,
            actor=actor,
            filters=commerce.OrderFilter(customer_id=conversation.customer_id),
            limit=1,
            offset=0,
        )
        order_no = orders[0].order_no if orders else None
    return PlaceholderValues(
        customer_name=customer.name if customer is not None else None,
        agent_name=agent.name if agent is not None and agent.shop_id == actor.shop_id else None,
        order_no=order_no,
        shop_name=shop.name if shop is not None else None,
    )


def render_canned_reply(reply: CannedReply, values: PlaceholderValues) -> str:
    """The reply's body as it goes into the reply box, placeholders filled."""
    language = ReplyLanguage(reply.language)
    return fill_placeholders(reply.body, values, "en" if language is ReplyLanguage.EN else "zh")
