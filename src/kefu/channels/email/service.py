"""E-mail use cases: the shop a recipient means, storing inbound mail in its thread, and the
bookkeeping of agents' replies sent by mail.

Each write use case commits its own transaction: inbound mail is acknowledged (250) only once
``receive_mail`` has returned."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import Shop
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.accounts.service import get_shop, get_shop_by_slug
from kefu.channels.email.addresses import new_message_id, shop_from_header, shop_slug_for
from kefu.channels.email.models import MailDirection, MailRecord, MailStatus
from kefu.channels.email.parse import InboundMail
from kefu.channels.email.text import fit_body
from kefu.conversations import service as conversations
from kefu.conversations.models import Conversation, Message
from kefu.conversations.schemas import MAX_MESSAGE_CHARS, ConversationCreate
from kefu.conversations.status import Channel, SenderType
from kefu.customers.models import Customer
from kefu.customers.schemas import IdentityKind
from kefu.customers.service import find_or_create_by_identity

MAX_KEY_CHARS = 100
MAX_SUBJECT_CHARS = 200
MAX_REFERENCES = 20


async def shop_for_recipient(session: AsyncSession, *, recipient: str, domain: str) -> int | None:
    """The id of the shop ``recipient`` (``<slug>@<domain>``) reaches, or None."""
    slug = shop_slug_for(recipient, domain)
    if slug is None:
        return None
    shop = await get_shop_by_slug(session, slug)
    return None if shop is None else shop.id


def mail_key(message_id: str) -> str:
    """Idempotency key of an inbound mail: the same Message-ID never stores a second message."""
    key = f"email:{message_id}"
    if len(key) <= MAX_KEY_CHARS:
        return key
    return "email:sha256:" + hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()


async def _record(session: AsyncSession, *, shop_id: int, message_id: str) -> MailRecord | None:
    record: MailRecord | None = await session.scalar(
        select(MailRecord).where(MailRecord.shop_id == shop_id, MailRecord.message_id == message_id)
    )
    return record


async def _thread(
    session: AsyncSession, *, shop_id: int, customer_id: int, ids: list[str]
) -> Conversation | None:
    """The e-mail conversation of this customer that the first known id of ``ids`` belongs to.

    A reference to another customer's mail starts a new conversation instead: a Message-ID is
    no secret, so it must not let anyone write into someone else's thread."""
    if not ids:
        return None
    rows = await session.execute(
        select(MailRecord.message_id, MailRecord.conversation_id).where(
            MailRecord.shop_id == shop_id, MailRecord.message_id.in_(ids)
        )
    )
    known = dict(rows.tuples().all())
    for message_id in ids:
        if message_id in known:
            conversation = await session.get(Conversation, known[message_id])
            if (
                conversation is not None
                and conversation.customer_id == customer_id
                and conversation.channel == Channel.EMAIL.value
            ):
                return conversation
            return None
    return None


async def receive_mail(
    session: AsyncSession, *, shop_id: int, mail: InboundMail, now: datetime
) -> tuple[Message, bool]:
    """Store an inbound mail as the sender's message (committed before this returns) and
    whether it is new: in the conversation it replies to, else in a new e-mail conversation."""
    known = await _record(session, shop_id=shop_id, message_id=mail.message_id)
    if known is not None:
        message = await session.get(Message, known.kefu_message_id)
        assert message is not None
        return message, False
    customer, _ = await find_or_create_by_identity(
        session,
        shop_id=shop_id,
        kind=IdentityKind.EMAIL,
        value=mail.sender,
        name=mail.sender_name,
        now=now,
    )
    key = mail_key(mail.message_id)
    body = fit_body(mail.body, mail.attachments, MAX_MESSAGE_CHARS)
    thread = await _thread(session, shop_id=shop_id, customer_id=customer.id, ids=mail.thread_ids())
    if thread is not None:
        message, created = await conversations.add_customer_message(
            session, conversation=thread, body=body, idempotency_key=key, now=now
        )
    else:
        data = ConversationCreate(
            customer_id=customer.id,
            channel=Channel.EMAIL,
            subject=mail.subject.replace("\x00", "")[:MAX_SUBJECT_CHARS],
            body=body,
            idempotency_key=key,
        )
        _conversation, created = await conversations.start_conversation(
            session, shop_id=shop_id, data=data, now=now
        )
        found = await session.scalar(
            select(Message).where(Message.shop_id == shop_id, Message.idempotency_key == key)
        )
        assert found is not None
        message = found
    await _remember(session, mail=mail, message=message, now=now)
    return message, created


async def _remember(
    session: AsyncSession, *, mail: InboundMail, message: Message, now: datetime
) -> None:
    """Record the mail's ids for threading; a concurrent delivery of it may have done so."""
    session.add(
        MailRecord(
            shop_id=message.shop_id,
            message_id=mail.message_id,
            conversation_id=message.conversation_id,
            kefu_message_id=message.id,
            direction=MailDirection.IN,
            status=MailStatus.RECEIVED,
            address=mail.sender[:254],
            in_reply_to=mail.in_reply_to,
            references=" ".join(mail.references),
            attempts=0,
            created_at=now,
            updated_at=now,
        )
    )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()


@dataclass(frozen=True, slots=True)
class OutboundReply:
    """Everything needed to mail one agent reply; its record is claimed (``sending``)."""

    record_id: int
    message_id: str
    sender: str  # the From header
    recipient: str
    subject: str
    body: str
    in_reply_to: str | None
    references: tuple[str, ...]


def reply_subject(subject: str, fallback: str) -> str:
    subject = subject.strip() or fallback
    lowered = subject.lower()
    if lowered.startswith(("re:", "re：", "回复:", "回复：", "答复:", "答复：")):
        return subject
    return f"Re: {subject}"


def _thread_headers(parent: MailRecord | None) -> tuple[str | None, tuple[str, ...]]:
    """In-Reply-To and References of a reply to ``parent`` (RFC 5322 3.6.4); hashed ids, which
    are not real Message-IDs, are left out."""
    if parent is None:
        return None, ()
    # RFC 5322: the parent's References, else its In-Reply-To, then the parent itself.
    earlier = parent.references.split() or ([parent.in_reply_to] if parent.in_reply_to else [])
    chain = [*earlier, parent.message_id]
    real = [i for i in dict.fromkeys(chain) if not i.startswith("sha256:")]
    in_reply_to = parent.message_id if not parent.message_id.startswith("sha256:") else None
    return in_reply_to, tuple(real[-MAX_REFERENCES:])


async def _reply_target(
    session: AsyncSession, conversation: Conversation
) -> tuple[MailRecord | None, str | None]:
    """The mail a reply answers (the customer's latest, else the latest of any) and the
    address it goes to (that mail's, else the customer's profile e-mail)."""
    rows = await session.scalars(
        select(MailRecord)
        .where(MailRecord.conversation_id == conversation.id)
        .order_by(MailRecord.id.desc())
        .limit(100)
    )
    records = rows.all()
    parent = next((r for r in records if r.direction == MailDirection.IN), None)
    parent = parent or (records[0] if records else None)
    if parent is not None:
        return parent, parent.address
    customer = await session.get(Customer, conversation.customer_id)
    return None, customer.email if customer is not None else None


async def claim_reply(
    session: AsyncSession, *, kefu_message_id: int, domain: str, now: datetime
) -> OutboundReply | None:
    """Claim an agent's reply for sending by mail and describe it; None when it is not one to
    mail (a note, not an e-mail conversation) or another worker has claimed it."""
    message = await session.get(Message, kefu_message_id)
    if message is None or message.is_internal or message.sender_type != SenderType.AGENT:
        return None
    conversation = await session.get(Conversation, message.conversation_id)
    if conversation is None or conversation.channel != Channel.EMAIL.value:
        return None
    claimed = await session.scalar(
        select(MailRecord.id).where(MailRecord.kefu_message_id == message.id)
    )
    shop = await get_shop(session, conversation.shop_id)
    if claimed is not None or shop is None:
        return None
    parent, recipient = await _reply_target(session, conversation)
    in_reply_to, references = _thread_headers(parent)
    record = MailRecord(
        shop_id=conversation.shop_id,
        message_id=new_message_id(domain),
        conversation_id=conversation.id,
        kefu_message_id=message.id,
        direction=MailDirection.OUT,
        status=MailStatus.SENDING if recipient else MailStatus.FAILED,
        address=recipient or "",
        in_reply_to=in_reply_to,
        references=" ".join(references),
        attempts=0,
        last_error=None if recipient else "the customer has no e-mail address",
        created_at=now,
        updated_at=now,
    )
    session.add(record)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return None
    if not recipient:
        return None
    return _outbound(record, message, conversation, shop, domain)


def _outbound(
    record: MailRecord, message: Message, conversation: Conversation, shop: Shop, domain: str
) -> OutboundReply:
    return OutboundReply(
        record_id=record.id,
        message_id=record.message_id,
        sender=shop_from_header(shop.name, shop.slug, domain),
        recipient=record.address,
        subject=reply_subject(conversation.subject, shop.name),
        body=message.body,
        in_reply_to=record.in_reply_to,
        references=tuple(record.references.split()),
    )


async def reclaim_stale_replies(
    session: AsyncSession, *, stale_before: datetime, domain: str, now: datetime, limit: int
) -> list[OutboundReply]:
    """Take over replies still ``sending`` that nobody has touched since ``stale_before``: their
    worker died between claiming and finishing. Each is re-claimed with a compare-and-set on
    ``updated_at``, so of several workers sweeping at once only one gets it. The mail keeps its
    Message-ID, so a copy that did leave before the crash threads as the same message."""
    stale = (
        await session.scalars(
            select(MailRecord)
            .where(
                MailRecord.direction == MailDirection.OUT,
                MailRecord.status == MailStatus.SENDING,
                MailRecord.updated_at < stale_before,
            )
            .order_by(MailRecord.id)
            .limit(limit)
        )
    ).all()
    taken: list[OutboundReply] = []
    for record in stale:
        won = await session.execute(
            update(MailRecord)
            .where(MailRecord.id == record.id, MailRecord.updated_at == record.updated_at)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        if won.rowcount != 1:  # type: ignore[attr-defined]
            continue
        message = await session.get(Message, record.kefu_message_id)
        conversation = await session.get(Conversation, record.conversation_id)
        shop = await get_shop(session, record.shop_id)
        if message is None or conversation is None or shop is None:
            continue
        taken.append(_outbound(record, message, conversation, shop, domain))
    return taken


async def record_attempt(
    session: AsyncSession, *, record_id: int, error: str | None, final: bool, now: datetime
) -> None:
    """Note one sending attempt: sent when ``error`` is None, else failed for good (a dead
    letter for admins) when ``final``, else still ``sending``."""
    status = MailStatus.SENT if error is None else MailStatus.FAILED if final else None
    values: dict[str, object] = {
        "attempts": MailRecord.attempts + 1,
        "last_error": error,
        "updated_at": now,
    }
    if status is not None:
        values["status"] = status
    await session.execute(update(MailRecord).where(MailRecord.id == record_id).values(**values))
    await session.commit()


async def unsent_replies(session: AsyncSession, *, since: datetime, limit: int) -> Sequence[int]:
    """Ids of agent replies on e-mail conversations since ``since`` that no mail was claimed
    for: what a sender missed while it was not listening."""
    rows = await session.scalars(
        select(Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(MailRecord, MailRecord.kefu_message_id == Message.id)
        .where(
            Conversation.channel == Channel.EMAIL.value,
            Message.sender_type == SenderType.AGENT.value,
            Message.is_internal.is_(False),
            Message.created_at >= since,
            MailRecord.id.is_(None),
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return rows.all()


async def failed_mail(session: AsyncSession, *, shop_id: int, limit: int) -> Sequence[MailRecord]:
    """The shop's replies that could not be mailed, newest first (the dead-letter list)."""
    rows = await session.scalars(
        select(MailRecord)
        .where(
            MailRecord.shop_id == shop_id,
            MailRecord.direction == MailDirection.OUT,
            MailRecord.status == MailStatus.FAILED,
        )
        .order_by(MailRecord.id.desc())
        .limit(limit)
    )
    return rows.all()


async def list_failed_mail(
    session: AsyncSession, *, actor: Principal, limit: int
) -> Sequence[MailRecord]:
    """``failed_mail`` of the actor's shop, for its owners and admins."""
    actor.require(Permission.CHANNELS_MANAGE)
    return await failed_mail(session, shop_id=actor.shop_id, limit=limit)
