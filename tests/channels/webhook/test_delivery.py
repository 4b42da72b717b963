"""Agents' replies leave as signed POSTs to the shop's callback server (a real HTTP server on
loopback): retried on 5xx and network errors, dead at once on 4xx, re-queued from the
dead-letter list, and picked up after a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kefu.accounts.models import Shop
from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.channels.webhook import outbox, service
from kefu.channels.webhook.delivery import DeliveryConfig, DeliveryWorker, start_webhook_sender
from kefu.channels.webhook.models import DeliveryStatus, WebhookChannel, WebhookDelivery
from kefu.channels.webhook.retry import RetryPolicy
from kefu.channels.webhook.schemas import InboundEvent, WebhookChannelUpdate
from kefu.channels.webhook.signing import verify
from kefu.conversations.schemas import MessageIn
from kefu.conversations.service import post_message
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.errors import Conflict
from kefu.shared.events import MemoryEventBus
from tests.channels.webhook.conftest import (
    CallbackServer,
    event,
    eventually,
    make_channel,
    owner_of,
    unique_path,
)
from tests.factories import Factory


@dataclass
class Thread:
    """An IM conversation a customer opened through ``channel``, and an agent to answer."""

    channel: WebhookChannel
    owner: Principal
    agent: Principal
    conversation_id: int
    path: str


@pytest.fixture
async def thread(
    hook_db: Database, hook_factory: Factory, shop: Shop, callback: CallbackServer
) -> Thread:
    owner = await owner_of(hook_factory, shop)
    user = await hook_factory.user(shop, role="agent")
    path = unique_path()
    channel = await make_channel(hook_db, owner, callback_url=callback.url(path))
    async with hook_db.session() as session:
        outcome = await service.receive_event(
            session,
            channel=channel,
            event=InboundEvent.model_validate(event("in-1", "退货怎么寄？", sender="wxid_buyer")),
            now=utcnow(),
        )
    agent = Principal(shop_id=shop.id, role=Role.AGENT, user_id=user.id)
    return Thread(channel, owner, agent, outcome.conversation_id, path)


async def reply(db: Database, thread: Thread, body: str, *, internal: bool = False) -> int:
    async with db.session() as session:
        message, _ = await post_message(
            session,
            actor=thread.agent,
            conversation_id=thread.conversation_id,
            data=MessageIn(body=body, internal=internal),
            now=utcnow(),
        )
    return message.id


async def deliveries(db: Database, thread: Thread) -> list[WebhookDelivery]:
    async with db.session() as session:
        rows = await session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.channel_id == thread.channel.id)
            .order_by(WebhookDelivery.id)
        )
        return list(rows)


async def settled(db: Database, thread: Thread, count: int = 1) -> list[WebhookDelivery]:
    """The thread's deliveries once ``count`` of them have reached a final state."""

    async def check() -> bool:
        rows = await deliveries(db, thread)
        final = [d for d in rows if d.status in (DeliveryStatus.DELIVERED, DeliveryStatus.DEAD)]
        return len(final) >= count

    await eventually(check)
    return await deliveries(db, thread)


class DeliveryWorkerStart:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.workers: list[DeliveryWorker] = []

    async def __call__(self, *, attempts: int = 3) -> DeliveryWorker:
        assert isinstance(self.db.bus, MemoryEventBus)
        config = DeliveryConfig(
            timeout_seconds=5,
            retry=RetryPolicy(attempts=attempts, backoff_seconds=0.05),
            poll_seconds=0.05,
            refresh_seconds=0.2,
        )
        worker = DeliveryWorker(self.db, self.db.bus.hub, config)
        await worker.start()
        self.workers.append(worker)
        return worker


@pytest.fixture
async def start(hook_db: Database) -> AsyncIterator[DeliveryWorkerStart]:
    starter = DeliveryWorkerStart(hook_db)
    yield starter
    for worker in starter.workers:
        await worker.stop()


async def test_agent_reply_is_posted_signed_to_the_callback_and_notes_are_not(
    hook_db: Database, thread: Thread, callback: CallbackServer, start: DeliveryWorkerStart
) -> None:
    await start()
    await reply(hook_db, thread, "内部备注：老客户", internal=True)
    message_id = await reply(hook_db, thread, "您好，退货地址已发您")
    [delivery] = await settled(hook_db, thread)

    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None
    [received] = callback.received(thread.path)
    verify(
        [thread.channel.secret],
        timestamp=received.headers["x-kefu-timestamp"],
        signature_header=received.headers["x-kefu-signature"],
        body=received.body,
        now=utcnow(),
    )
    assert received.headers["content-type"].startswith("application/json")
    assert received.headers["x-kefu-delivery"] == str(delivery.id)
    payload = received.json()
    assert payload["type"] == "message"
    assert payload["delivery_id"] == delivery.id
    assert payload["recipient"] == {"id": "wxid_buyer"}
    assert payload["text"] == "您好，退货地址已发您"
    assert payload["message_id"] == message_id
    assert payload["conversation_id"] == thread.conversation_id
    assert payload["channel_id"] == thread.channel.id


async def test_server_errors_are_retried_with_backoff_then_delivered(
    hook_db: Database, thread: Thread, callback: CallbackServer, start: DeliveryWorkerStart
) -> None:
    callback.plan = [503, 500]
    await start(attempts=3)
    await reply(hook_db, thread, "稍等")
    [delivery] = await settled(hook_db, thread)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, None)
    received = callback.received(thread.path)
    assert [r.answered for r in received] == [503, 500, 200]
    assert {r.json()["delivery_id"] for r in received} == {delivery.id}


async def test_a_4xx_answer_is_a_dead_letter_at_once(
    hook_db: Database, thread: Thread, callback: CallbackServer, start: DeliveryWorkerStart
) -> None:
    callback.plan = [404]
    await start(attempts=5)
    await reply(hook_db, thread, "收不到")
    [delivery] = await settled(hook_db, thread)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("dead", 1, 404)
    assert delivery.last_error is not None and "404" in delivery.last_error
    async with hook_db.session() as session:
        dead = await service.list_deliveries(
            session,
            actor=thread.owner,
            channel_id=thread.channel.id,
            status="dead",
            limit=10,
            before_id=None,
        )
    assert [d.id for d in dead] == [delivery.id]


async def test_unreachable_callback_is_retried_until_dead_then_retried_by_an_admin(
    hook_db: Database, thread: Thread, callback: CallbackServer, start: DeliveryWorkerStart
) -> None:
    await start(attempts=3)
    async with hook_db.session() as session:
        await service.update_channel(
            session,
            actor=thread.owner,
            channel_id=thread.channel.id,
            data=WebhookChannelUpdate(callback_url="http://127.0.0.1:9/closed"),
            now=utcnow(),
        )
    await reply(hook_db, thread, "发不出去")
    [dead] = await settled(hook_db, thread)
    assert (dead.status, dead.attempts, dead.last_status_code) == ("dead", 3, None)
    assert dead.last_error is not None and "Connect" in dead.last_error

    # The admin fixes the URL and re-queues the dead letter: a fresh round of attempts.
    async with hook_db.session() as session:
        await service.update_channel(
            session,
            actor=thread.owner,
            channel_id=thread.channel.id,
            data=WebhookChannelUpdate(callback_url=callback.url(thread.path)),
            now=utcnow(),
        )
        requeued = await service.retry_delivery(
            session, actor=thread.owner, delivery_id=dead.id, now=utcnow()
        )
    assert (requeued.status, requeued.attempts) == ("pending", 0)
    [delivered] = await settled(hook_db, thread)
    assert (delivered.id, delivered.status, delivered.attempts) == (dead.id, "delivered", 1)
    assert [r.json()["text"] for r in callback.received(thread.path)] == ["发不出去"]


async def test_deliveries_left_by_a_stopped_or_crashed_worker_are_sent_on_start(
    hook_db: Database, thread: Thread, callback: CallbackServer, start: DeliveryWorkerStart
) -> None:
    # A reply posted while no worker ran: never claimed.
    await reply(hook_db, thread, "停机时的回复")
    # A reply claimed, then the worker died mid-attempt: leased, the lease now expired.
    crashed_message = await reply(hook_db, thread, "发到一半崩溃")
    async with hook_db.session() as session:
        crashed = await outbox.claim_delivery(
            session, kefu_message_id=crashed_message, now=utcnow()
        )
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == crashed)
            .values(attempts=1, status="retrying", next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    assert {d.status for d in await deliveries(hook_db, thread)} == {"retrying"}

    await start()
    rows = await settled(hook_db, thread, count=2)
    assert [(d.status, d.attempts) for d in rows] == [("delivered", 2), ("delivered", 1)]
    texts = sorted(r.json()["text"] for r in callback.received(thread.path))
    assert texts == sorted(["停机时的回复", "发到一半崩溃"])


async def test_replies_on_a_disabled_channel_are_dead_letters_and_cannot_be_retried(
    hook_db: Database, thread: Thread, callback: CallbackServer, start: DeliveryWorkerStart
) -> None:
    async with hook_db.session() as session:
        await service.update_channel(
            session,
            actor=thread.owner,
            channel_id=thread.channel.id,
            data=WebhookChannelUpdate(enabled=False),
            now=utcnow(),
        )
        message_id = await reply(hook_db, thread, "渠道已停用")
        assert (
            await outbox.claim_delivery(session, kefu_message_id=message_id, now=utcnow()) is None
        )
    [dead] = await deliveries(hook_db, thread)
    assert (dead.status, dead.last_error) == ("dead", "the channel is disabled")
    async with hook_db.session() as session:
        with pytest.raises(Conflict) as refused:
            await service.retry_delivery(
                session, actor=thread.owner, delivery_id=dead.id, now=utcnow()
            )
    assert refused.value.code == "channel_disabled"
    assert callback.received(thread.path) == []


async def test_two_workers_deliver_each_reply_exactly_once(
    hook_db: Database, thread: Thread, callback: CallbackServer, start: DeliveryWorkerStart
) -> None:
    await start()
    await start()
    for n in range(6):
        await reply(hook_db, thread, f"回复 {n}")
    rows = await settled(hook_db, thread, count=6)
    assert [d.status for d in rows] == ["delivered"] * 6
    ids = [r.json()["delivery_id"] for r in callback.received(thread.path)]
    assert sorted(ids) == [d.id for d in rows]


async def test_sender_is_off_when_settings_say_so(hook_db: Database, database_url: str) -> None:
    settings = Settings(env="test", database_url=database_url, webhook_outbound=False)
    assert await start_webhook_sender(settings, hook_db) is None
    worker = await start_webhook_sender(
        settings.model_copy(update={"webhook_outbound": True}), hook_db
    )
    assert worker is not None
    await worker.stop()
