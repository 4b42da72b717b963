"""Kefu's SMTP server over a real loopback connection: mail becomes threaded conversations."""

from __future__ import annotations

import aiosmtplib
import pytest
from sqlalchemy import func, select

from kefu.accounts.models import Shop
from kefu.channels.email.models import MailRecord
from kefu.channels.email.server import InboundServer
from kefu.conversations.models import Conversation, Message
from kefu.customers.models import Customer
from kefu.shared.db import Database
from tests.channels.email.conftest import DOMAIN, MAX_BYTES, Deliver
from tests.channels.email.test_parse import gbk_mail


def mail(
    message_id: str, body: str = "你好", *, subject: str = "订单问题", extra: str = ""
) -> bytes:
    return (
        f"From: 王小明 <buyer@example.com>\r\nTo: shop\r\nSubject: {subject}\r\n"
        f"Message-ID: <{message_id}>\r\n{extra}MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def address(shop: Shop) -> str:
    return f"{shop.slug}@{DOMAIN}"


async def messages(db: Database, shop: Shop) -> list[tuple[int, str]]:
    async with db.session() as session:
        rows = await session.execute(
            select(Message.conversation_id, Message.body)
            .where(Message.shop_id == shop.id)
            .order_by(Message.id)
        )
        return [(r.conversation_id, r.body) for r in rows]


async def test_new_mail_opens_an_email_conversation_for_the_sender(
    deliver: Deliver, mail_db: Database, shop: Shop
) -> None:
    await deliver(mail("new-1@example.com", "我的快递还没到"), to=address(shop))
    async with mail_db.session() as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.shop_id == shop.id)
        )
        assert conversation is not None
        customer = await session.get(Customer, conversation.customer_id)
    assert (conversation.channel, conversation.subject) == ("email", "订单问题")
    assert customer is not None and customer.email == "buyer@example.com"
    assert customer.name == "王小明"
    assert await messages(mail_db, shop) == [(conversation.id, "我的快递还没到")]


async def test_reply_threads_by_in_reply_to_and_references(
    deliver: Deliver, mail_db: Database, shop: Shop
) -> None:
    await deliver(mail("t-1@example.com", "第一封"), to=address(shop))
    await deliver(
        mail("t-2@example.com", "第二封", extra="In-Reply-To: <t-1@example.com>\r\n"),
        to=address(shop),
    )
    await deliver(
        mail("t-3@example.com", "第三封", extra="References: <t-1@example.com> <zz@x>\r\n"),
        to=address(shop),
    )
    await deliver(mail("t-4@example.com", "另一件事"), to=address(shop))
    stored = await messages(mail_db, shop)
    first = stored[0][0]
    assert stored[:3] == [(first, "第一封"), (first, "第二封"), (first, "第三封")]
    assert stored[3][0] != first


async def test_reply_reopens_a_closed_conversation(
    deliver: Deliver, mail_db: Database, shop: Shop
) -> None:
    await deliver(mail("c-1@example.com"), to=address(shop))
    async with mail_db.session() as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.shop_id == shop.id)
        )
        assert conversation is not None
        conversation.status = "closed"
        await session.commit()
    await deliver(
        mail("c-2@example.com", "还在吗", extra="In-Reply-To: <c-1@example.com>\r\n"),
        to=address(shop),
    )
    async with mail_db.session() as session:
        reopened = await session.get(Conversation, conversation.id)
        assert reopened is not None
        assert (reopened.status, reopened.message_count) == ("open", 2)


async def test_reference_to_another_customers_mail_starts_a_new_conversation(
    deliver: Deliver, mail_db: Database, shop: Shop
) -> None:
    await deliver(mail("o-1@example.com"), to=address(shop))
    intruder = mail("o-2@evil.test", "hi", extra="In-Reply-To: <o-1@example.com>\r\n")
    intruder = intruder.replace(b"buyer@example.com", b"mallory@evil.test")
    await deliver(intruder, to=address(shop), sender="mallory@evil.test")
    stored = await messages(mail_db, shop)
    assert stored[0][0] != stored[1][0]


async def test_same_message_id_delivered_twice_is_stored_once(
    deliver: Deliver, mail_db: Database, shop: Shop
) -> None:
    await deliver(mail("dup@example.com", "只存一次"), to=address(shop))
    await deliver(mail("dup@example.com", "只存一次"), to=address(shop))
    assert [body for _c, body in await messages(mail_db, shop)] == ["只存一次"]
    async with mail_db.session() as session:
        count = await session.scalar(select(func.count()).where(MailRecord.shop_id == shop.id))
    assert count == 1


async def test_gbk_chinese_mail_is_decoded(deliver: Deliver, mail_db: Database, shop: Shop) -> None:
    await deliver(gbk_mail(), to=address(shop))
    async with mail_db.session() as session:
        subject = await session.scalar(
            select(Conversation.subject).where(Conversation.shop_id == shop.id)
        )
    assert subject == "订单咨询：朱镕基同款"
    assert [b for _c, b in await messages(mail_db, shop)] == [
        "你好，我的订单还没发货，朱镕基同款。"
    ]


async def test_html_only_mail_is_stored_as_text_without_tags_or_scripts(
    deliver: Deliver, mail_db: Database, shop: Shop
) -> None:
    raw = (
        b"From: buyer@example.com\r\nSubject: html\r\nMessage-ID: <h@example.com>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + "<p onclick='x()'>请<b>退款</b></p><script>steal()</script>"
        "<style>p{}</style><a href='javascript:x'>链接</a>".encode()
    )
    await deliver(raw, to=address(shop))
    [(_c, body)] = await messages(mail_db, shop)
    assert body == "请退款\n链接"
    assert "<" not in body and "steal" not in body


async def test_unknown_recipient_is_refused_with_550(inbound: InboundServer, shop: Shop) -> None:
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=inbound.port) as client:
        await client.mail("buyer@example.com")
        for stranger in (f"no-such-shop@{DOMAIN}", f"{shop.slug}@other.test"):
            with pytest.raises(aiosmtplib.SMTPRecipientRefused) as refused:
                await client.rcpt(stranger)
            assert refused.value.code == 550


async def test_oversized_mail_is_refused_with_552(deliver: Deliver, shop: Shop) -> None:
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await deliver(mail("big@example.com", "大" * MAX_BYTES), to=address(shop))
    assert refused.value.code == 552
