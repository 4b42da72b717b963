"""Agents' replies leave by real SMTP to the customer's mail server, threaded, and retried."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kefu.accounts.models import Shop
from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.channels.email.models import MailRecord
from kefu.channels.email.outbound import RelayConfig, ReplySender
from kefu.conversations.models import Conversation
from kefu.conversations.schemas import MessageIn
from kefu.conversations.service import post_message
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import MemoryEventBus
from tests.channels.email.conftest import DOMAIN, Capture, Deliver
from tests.channels.email.test_inbound import address, mail, messages
from tests.factories import Factory

Reply = Callable[..., Awaitable[None]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def start_sender(db: Database, port: int, *, attempts: int = 3) -> ReplySender:
    assert isinstance(db.bus, MemoryEventBus)
    relay = RelayConfig(
        host="127.0.0.1",
        port=port,
        domain=DOMAIN,
        start_tls=False,
        timeout_seconds=5,
        attempts=attempts,
        backoff_seconds=0.01,
    )
    sender = ReplySender(db, db.bus.hub, relay)
    await sender.start()
    return sender


@pytest.fixture
async def agent_reply(mail_db: Database, mail_factory: Factory, shop: Shop) -> AsyncIterator[Reply]:
    user = await mail_factory.user(shop, role="agent")
    actor = Principal(shop_id=shop.id, role=Role.AGENT, user_id=user.id)

    async def reply(body: str, *, internal: bool = False) -> None:
        async with mail_db.session() as session:
            conversation_id = await session.scalar(
                select(Conversation.id).where(Conversation.shop_id == shop.id)
            )
            assert conversation_id is not None
            await post_message(
                session,
                actor=actor,
                conversation_id=conversation_id,
                data=MessageIn(body=body, internal=internal),
                now=utcnow(),
            )

    yield reply


async def outbound_records(db: Database, shop: Shop) -> list[MailRecord]:
    async with db.session() as session:
        rows = await session.scalars(
            select(MailRecord).where(MailRecord.shop_id == shop.id, MailRecord.direction == "out")
        )
        return list(rows)


async def test_agent_reply_is_mailed_threaded_to_the_customer(
    deliver: Deliver,
    mail_db: Database,
    shop: Shop,
    customer_server: tuple[Capture, int],
    agent_reply: Reply,
) -> None:
    capture, port = customer_server
    await deliver(mail("q-1@example.com", "发票怎么开？", subject="发票问题"), to=address(shop))
    await deliver(
        mail("q-2@example.com", "急", extra="In-Reply-To: <q-1@example.com>\r\n"),
        to=address(shop),
    )
    sender = await start_sender(mail_db, port)
    try:
        await agent_reply("您好，发票已开具。\n祝好")
        await asyncio.wait_for(capture.arrived.wait(), timeout=10)
        await sender.idle()
    finally:
        await sender.stop()

    [(envelope, sent)] = capture.mails
    assert envelope.rcpt_tos == ["buyer@example.com"]
    assert sent["To"] == "buyer@example.com"
    assert sent["Subject"] == "Re: 发票问题"
    assert sent["From"].addresses[0].addr_spec == f"{shop.slug}@{DOMAIN}"
    assert sent["From"].addresses[0].display_name == "邮件店"
    assert sent["In-Reply-To"] == "<q-2@example.com>"
    assert sent["References"] == "<q-1@example.com> <q-2@example.com>"
    assert sent.get_content().replace("\r\n", "\n").strip() == "您好，发票已开具。\n祝好"
    [record] = await outbound_records(mail_db, shop)
    assert (record.status, record.attempts) == ("sent", 1)
    assert sent["Message-ID"] == f"<{record.message_id}>"

    # The customer answers Kefu's mail: it joins the same conversation.
    await deliver(
        mail("q-3@example.com", "收到，谢谢", extra=f"In-Reply-To: <{record.message_id}>\r\n"),
        to=address(shop),
    )
    conversation_ids = {c for c, _body in await messages(mail_db, shop)}
    assert len(conversation_ids) == 1


async def test_internal_notes_are_never_mailed(
    deliver: Deliver,
    mail_db: Database,
    shop: Shop,
    customer_server: tuple[Capture, int],
    agent_reply: Reply,
) -> None:
    capture, port = customer_server
    await deliver(mail("n-1@example.com"), to=address(shop))
    sender = await start_sender(mail_db, port)
    try:
        await agent_reply("内部备注：VIP", internal=True)
        await agent_reply("公开回复")
        await asyncio.wait_for(capture.arrived.wait(), timeout=10)
        await sender.idle()
    finally:
        await sender.stop()
    assert [m.get_content().strip() for _e, m in capture.mails] == ["公开回复"]


async def test_reply_posted_while_sender_was_stopped_is_mailed_on_start(
    deliver: Deliver,
    mail_db: Database,
    shop: Shop,
    customer_server: tuple[Capture, int],
    agent_reply: Reply,
) -> None:
    capture, port = customer_server
    await deliver(mail("s-1@example.com"), to=address(shop))
    await agent_reply("迟到的回复")
    sender = await start_sender(mail_db, port)
    try:
        await asyncio.wait_for(capture.arrived.wait(), timeout=10)
        await sender.idle()
    finally:
        await sender.stop()
    assert [m.get_content().strip() for _e, m in capture.mails] == ["迟到的回复"]


async def test_unreachable_relay_is_retried_then_recorded_as_failed(
    deliver: Deliver, mail_db: Database, shop: Shop, agent_reply: Reply
) -> None:
    await deliver(mail("f-1@example.com"), to=address(shop))
    sender = await start_sender(mail_db, free_port(), attempts=3)
    try:
        await agent_reply("发不出去")
        for _ in range(200):
            records = await outbound_records(mail_db, shop)
            if records and records[0].status == "failed":
                break
            await asyncio.sleep(0.02)
        await sender.idle()
    finally:
        await sender.stop()
    [record] = await outbound_records(mail_db, shop)
    assert (record.status, record.attempts) == ("failed", 3)
    assert record.last_error


async def test_reply_left_sending_by_a_dead_worker_is_taken_over_once_stale(
    deliver: Deliver,
    mail_db: Database,
    shop: Shop,
    customer_server: tuple[Capture, int],
    agent_reply: Reply,
) -> None:
    capture, port = customer_server
    await deliver(mail("d-1@example.com"), to=address(shop))
    dead = ReplySender(
        mail_db,
        mail_db.bus.hub,  # type: ignore[union-attr]
        RelayConfig(
            host="127.0.0.1",
            port=free_port(),
            domain=DOMAIN,
            start_tls=False,
            attempts=5,
            backoff_seconds=3600,
        ),
    )
    await dead.start()
    try:
        await agent_reply("第一个进程没发出去")
        for _ in range(200):
            records = await outbound_records(mail_db, shop)
            if records and records[0].attempts == 1:
                break
            await asyncio.sleep(0.02)
    finally:
        await dead.stop()  # dies while waiting to retry: the reply stays claimed, "sending"
    [claimed] = await outbound_records(mail_db, shop)
    assert claimed.status == "sending"

    fresh = await start_sender(mail_db, port)  # a live worker, but the claim is not stale yet
    await fresh.idle()
    assert capture.mails == []
    await fresh.stop()

    async with mail_db.session() as session:
        await session.execute(
            update(MailRecord)
            .where(MailRecord.id == claimed.id)
            .values(updated_at=utcnow() - timedelta(hours=1))
        )
        await session.commit()
    fresh = await start_sender(mail_db, port)
    try:
        await asyncio.wait_for(capture.arrived.wait(), timeout=10)
        await fresh.idle()
    finally:
        await fresh.stop()
    [(_envelope, sent)] = capture.mails
    assert sent["Message-ID"] == f"<{claimed.message_id}>"  # the same mail, not a new one
    [record] = await outbound_records(mail_db, shop)
    assert (record.status, record.attempts) == ("sent", 2)
