"""Polling a shop's mailbox on a real IMAP server (Dovecot on loopback): unread mail becomes
conversations, is marked read only once stored, and nothing loops or crashes the channel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import select

from kefu.accounts.models import Shop
from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.channels.email import imap
from kefu.channels.email.channel import start_email_channel
from kefu.channels.email.imap import ImapConfig, ImapPoller, PollResult
from kefu.channels.email.service import claim_reply
from kefu.conversations.models import Conversation, Message
from kefu.conversations.schemas import MessageIn
from kefu.conversations.service import post_message
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.channels.email.conftest import DOMAIN, MAX_BYTES
from tests.channels.email.imap_server import PASSWORD, USER, ImapServer
from tests.channels.email.test_inbound import mail, messages
from tests.factories import Factory

SEEN = "\\Seen"


def config(server: ImapServer, shop: Shop, **changes: object) -> ImapConfig:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "user": USER,
        "password": PASSWORD,
        "shop_slug": shop.slug,
        "ssl": False,
        "poll_seconds": 0.05,
        "max_bytes": MAX_BYTES,
        "timeout_seconds": 5,
    }
    values.update(changes)
    return ImapConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
async def poller(
    mail_db: Database, imap_server: ImapServer, shop: Shop
) -> AsyncIterator[ImapPoller]:
    poller = ImapPoller(mail_db, config(imap_server, shop))
    yield poller
    await poller.stop()


async def test_unread_mail_becomes_a_conversation_of_the_mailbox_shop_and_is_marked_seen(
    imap_server: ImapServer, poller: ImapPoller, mail_db: Database, shop: Shop
) -> None:
    # The mailbox belongs to the shop whatever the mail was addressed to.
    imap_server.append(mail("imap-1@example.com", "快递到哪了").replace(b"To: shop", b"To: x@y.z"))
    assert await poller.poll() == PollResult(imported=1)
    async with mail_db.session() as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.shop_id == shop.id)
        )
    assert conversation is not None and conversation.channel == "email"
    assert await messages(mail_db, shop) == [(conversation.id, "快递到哪了")]
    assert imap_server.flags() == [{SEEN}]


async def test_a_second_poll_imports_nothing_new(
    imap_server: ImapServer, poller: ImapPoller, mail_db: Database, shop: Shop
) -> None:
    imap_server.append(mail("imap-2@example.com"))
    assert await poller.poll() == PollResult(imported=1)
    assert await poller.poll() == PollResult()
    assert len(await messages(mail_db, shop)) == 1


async def test_reply_to_a_kefu_mail_threads_into_its_conversation(
    imap_server: ImapServer,
    poller: ImapPoller,
    mail_db: Database,
    mail_factory: Factory,
    shop: Shop,
) -> None:
    imap_server.append(mail("first@example.com", "第一封"))
    await poller.poll()
    agent = await mail_factory.user(shop, role="agent")
    async with mail_db.session() as session:
        conversation_id = await session.scalar(
            select(Conversation.id).where(Conversation.shop_id == shop.id)
        )
        assert conversation_id is not None
        answer, _new = await post_message(
            session,
            actor=Principal(shop_id=shop.id, role=Role.AGENT, user_id=agent.id),
            conversation_id=conversation_id,
            data=MessageIn(body="已发货"),
            now=utcnow(),
        )
        reply = await claim_reply(session, kefu_message_id=answer.id, domain=DOMAIN, now=utcnow())
    assert reply is not None
    extra = f"In-Reply-To: <{reply.message_id}>\r\n"
    imap_server.append(mail("second@example.com", "谢谢", extra=extra))
    assert await poller.poll() == PollResult(imported=1)
    stored = await messages(mail_db, shop)
    assert stored == [
        (conversation_id, "第一封"),
        (conversation_id, "已发货"),
        (conversation_id, "谢谢"),
    ]


async def test_mail_stored_but_not_marked_before_a_crash_is_not_stored_twice(
    imap_server: ImapServer, poller: ImapPoller, mail_db: Database, shop: Shop
) -> None:
    imap_server.append(mail("crash@example.com", "只存一次"))
    await poller.poll()
    imap_server.set_unseen()
    assert await poller.poll() == PollResult(duplicates=1)
    assert [body for _c, body in await messages(mail_db, shop)] == ["只存一次"]
    assert imap_server.flags() == [{SEEN}]


async def test_mail_that_fails_to_store_stays_unread_and_is_retried(
    imap_server: ImapServer,
    poller: ImapPoller,
    mail_db: Database,
    shop: Shop,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database is down")

    imap_server.append(mail("retry@example.com", "再试一次"))
    with monkeypatch.context() as patched:
        patched.setattr(imap, "receive_mail", broken)
        assert await poller.poll() == PollResult(failed=1)
    assert imap_server.flags() == [set()]
    assert "database is down" in caplog.text
    assert await poller.poll() == PollResult(imported=1)
    assert [body for _c, body in await messages(mail_db, shop)] == ["再试一次"]


async def test_unreadable_mail_is_flagged_and_not_fetched_again(
    imap_server: ImapServer, poller: ImapPoller, mail_db: Database, shop: Shop
) -> None:
    imap_server.append(b"Subject: no sender\r\nMessage-ID: <anon@example.com>\r\n\r\nhi\r\n")
    assert await poller.poll() == PollResult(skipped=1)
    assert imap_server.flags() == [{SEEN, imap.UNREADABLE}]
    assert await poller.poll() == PollResult()
    assert await messages(mail_db, shop) == []


async def test_too_large_mail_is_flagged_and_not_looped(
    imap_server: ImapServer, poller: ImapPoller, mail_db: Database, shop: Shop
) -> None:
    imap_server.append(mail("big@example.com", "大" * MAX_BYTES))
    imap_server.append(mail("small@example.com", "小"))
    assert await poller.poll() == PollResult(imported=1, skipped=1)
    assert imap_server.flags() == [{SEEN, imap.TOO_LARGE}, {SEEN}]
    assert await poller.poll() == PollResult()
    assert [body for _c, body in await messages(mail_db, shop)] == ["小"]


async def test_imported_mail_is_moved_when_a_folder_is_configured(
    imap_server: ImapServer, mail_db: Database, shop: Shop
) -> None:
    client = imap_server.client()
    client.create("Kefu")
    client.logout()
    poller = ImapPoller(mail_db, config(imap_server, shop, move_to="Kefu"))
    imap_server.append(mail("moved@example.com"))
    try:
        assert await poller.poll() == PollResult(imported=1)
    finally:
        await poller.stop()
    assert imap_server.flags() == []
    assert imap_server.flags("Kefu") == [{SEEN}]


async def test_poller_reconnects_after_the_server_restarts(
    imap_server: ImapServer, poller: ImapPoller, mail_db: Database, shop: Shop
) -> None:
    imap_server.append(mail("before@example.com", "重启前"))
    await poller.poll()
    imap_server.stop()
    with pytest.raises(OSError):
        await poller.poll()
    imap_server.start()
    imap_server.append(mail("after@example.com", "重启后"))
    assert await poller.poll() == PollResult(imported=1)
    assert [body for _c, body in await messages(mail_db, shop)] == ["重启前", "重启后"]


def imap_settings(database_url: str, server: ImapServer, shop: Shop, password: str) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key=SecretStr("e" * 40),
        email_imap_host="127.0.0.1",
        email_imap_port=server.port,
        email_imap_user=USER,
        email_imap_password=SecretStr(password),
        email_imap_ssl=False,
        email_imap_shop=shop.slug,
        email_imap_poll_seconds=0.05,
    )


async def eventually(check: object, seconds: float = 10) -> None:
    assert callable(check)
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def test_configured_channel_polls_the_mailbox_in_the_background(
    imap_server: ImapServer, mail_db: Database, database_url: str, shop: Shop
) -> None:
    settings = imap_settings(database_url, imap_server, shop, PASSWORD)
    channel = await start_email_channel(settings, mail_db)
    try:
        assert channel.imap is not None
        imap_server.append(mail("background@example.com", "后台收信"))

        async def arrived() -> bool:
            return len(await messages(mail_db, shop)) == 1

        await eventually(arrived)
    finally:
        await channel.stop()
    assert imap_server.flags() == [{SEEN}]


async def test_wrong_password_logs_an_error_and_does_not_stop_the_channel(
    imap_server: ImapServer,
    mail_db: Database,
    database_url: str,
    shop: Shop,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = imap_settings(database_url, imap_server, shop, "wrong")
    channel = await start_email_channel(settings, mail_db)
    try:

        async def refused_twice() -> bool:
            errors = [r for r in caplog.records if r.levelno == logging.ERROR]
            return sum("login as" in r.getMessage() for r in errors) >= 2

        await eventually(refused_twice)
        assert channel.imap is not None and channel.imap._task is not None
        assert not channel.imap._task.done()
    finally:
        await channel.stop()
    async with mail_db.session() as session:
        assert await session.scalar(select(Message.id).where(Message.shop_id == shop.id)) is None


def test_imap_host_without_account_is_refused(database_url: str) -> None:
    with pytest.raises(ValidationError, match="KEFU_EMAIL_IMAP_SHOP"):
        Settings(
            env="test",
            database_url=database_url,
            email_imap_host="imap.example.com",
            email_imap_user="u",
            email_imap_password=SecretStr("p"),
        )
