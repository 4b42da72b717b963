"""The router against a real database: queues, capacity, tiers, priority, never dropping."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from kefu.conversations.models import Conversation
from kefu.routing import intake, service
from kefu.routing.models import AgentState, RoutingQueue
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.routing.support import assignee_of, make_agent, make_queue, make_rule, queued


async def test_conversation_goes_to_a_qualified_agent_with_room(
    db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    presales = await make_queue(db, shop, "售前", "presales")
    returns = await make_queue(db, shop, "售后", "aftersales")
    await make_agent(factory, shop, skills={returns.id: 5})
    seller = await make_agent(factory, shop, skills={presales.id: 3})
    conversation = await queued(factory, shop, presales)
    async with db.session() as session:
        routed = await service.route_conversation(
            session, shop_id=shop.id, conversation_id=conversation.id, now=utcnow()
        )
    assert routed is not None and routed.assignee_id == seller.id
    assert await assignee_of(db, conversation.id) == seller.id


async def test_nobody_free_keeps_the_conversation_queued_until_an_agent_frees_up(
    db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "订单", "orders")
    agent = await make_agent(factory, shop, skills={queue.id: 3}, chats=1)
    first = await queued(factory, shop, queue)
    second = await queued(factory, shop, queue)
    now = utcnow()
    async with db.session() as session:
        await service.route_conversation(
            session, shop_id=shop.id, conversation_id=first.id, now=now
        )
    async with db.session() as session:
        routed = await service.route_conversation(
            session, shop_id=shop.id, conversation_id=second.id, now=now
        )
    assert routed is not None and routed.assignee_id is None
    assert await assignee_of(db, second.id) is None
    async with db.session() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == first.id).values(status="resolved")
        )
        await session.commit()
    async with db.session() as session:
        done = await service.dispatch(session, shop_id=shop.id, now=now)
    assert [(r.conversation_id, r.assignee_id) for r in done] == [(second.id, agent.id)]


async def test_offline_or_silent_agents_get_nothing(db: Database, factory: Factory) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "订单", "orders")
    await make_agent(factory, shop, skills={queue.id: 3}, online=False)
    await make_agent(factory, shop, skills={queue.id: 3}, now=utcnow() - timedelta(minutes=10))
    conversation = await queued(factory, shop, queue)
    async with db.session() as session:
        routed = await service.route_conversation(
            session, shop_id=shop.id, conversation_id=conversation.id, now=utcnow()
        )
    assert routed is not None and routed.assignee_id is None


async def test_dispatch_serves_vip_then_angry_then_longest_waiting(
    db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "订单", "orders")
    now = utcnow()
    old = await queued(factory, shop, queue, at=now - timedelta(minutes=9))
    angry = await queued(factory, shop, queue, at=now - timedelta(minutes=1), angry=True)
    vip_customer = await factory.customer(shop, vip_level=3)
    vip = await queued(factory, shop, queue, at=now, customer_id=vip_customer.id)
    agent = await make_agent(factory, shop, skills={queue.id: 3}, chats=2)
    async with db.session() as session:
        done = await service.dispatch(session, shop_id=shop.id, now=now)
    assert [r.conversation_id for r in done] == [vip.id, angry.id]
    assert {r.assignee_id for r in done} == {agent.id}
    assert await assignee_of(db, old.id) is None


async def test_escalated_conversation_waits_for_a_senior(db: Database, factory: Factory) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "投诉", "complaints")
    await make_agent(factory, shop, skills={queue.id: 5}, tier="junior")
    conversation = await queued(factory, shop, queue, min_tier="senior")
    async with db.session() as session:
        routed = await service.route_conversation(
            session, shop_id=shop.id, conversation_id=conversation.id, now=utcnow()
        )
    assert routed is not None and routed.assignee_id is None
    senior = await make_agent(factory, shop, skills={queue.id: 2}, tier="senior")
    async with db.session() as session:
        done = await service.dispatch(session, shop_id=shop.id, now=utcnow())
    assert [r.assignee_id for r in done] == [senior.id]


async def test_peak_squad_serves_only_queues_whose_peak_is_on(
    db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "售前", "presales", peak_threshold_seconds=60)
    squad = await make_agent(factory, shop, skills={}, peak_squad=True)
    conversation = await queued(factory, shop, queue)
    async with db.session() as session:
        await service.route_conversation(
            session, shop_id=shop.id, conversation_id=conversation.id, now=utcnow()
        )
    assert await assignee_of(db, conversation.id) is None
    async with db.session() as session:
        await session.execute(
            update(RoutingQueue).where(RoutingQueue.id == queue.id).values(peak_active=True)
        )
        await session.commit()
    async with db.session() as session:
        done = await service.dispatch(session, shop_id=shop.id, now=utcnow())
    assert [r.assignee_id for r in done] == [squad.id]


async def test_rules_choose_the_queue_from_intent_channel_and_keywords(
    db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    general = await make_queue(db, shop, "综合", "general", default=True)
    returns = await make_queue(db, shop, "售后", "aftersales")
    complaints = await make_queue(db, shop, "投诉", "complaints")
    await make_rule(db, shop, complaints, keywords=["投诉", "complain"], position=0)
    await make_rule(db, shop, returns, intents=["return_request"], position=1)
    cases = [("return_request", "我要退货", returns.id), (None, "我要投诉你们", complaints.id)]
    cases.append((None, "你好", general.id))
    for intent, text, expected in cases:
        conversation = await factory.conversation(shop, messages=(text,))
        async with db.session() as session:
            row = await session.get(Conversation, conversation.id)
            assert row is not None
            row.intent = intent
            await intake.enqueue(session, conversation=row, now=utcnow())
            await session.commit()
            assert row.queue_id == expected, text
            assert (row.complaint_since is not None) == (expected == complaints.id)


async def test_take_in_leaves_bot_conversations_to_the_bot(db: Database, factory: Factory) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "综合", "general", default=True)
    agent = await make_agent(factory, shop, skills={queue.id: 3})
    conversation = await factory.conversation(shop)

    async def bot_takes(_session: object, _conversation_id: int) -> bool:
        return True

    async with db.session() as session:
        assert (
            await intake.take_in(
                session,
                shop_id=shop.id,
                conversation_id=conversation.id,
                now=utcnow(),
                bot_takes=bot_takes,
            )
            is None
        )
    async with db.session() as session:
        routed = await intake.take_in(
            session, shop_id=shop.id, conversation_id=conversation.id, now=utcnow()
        )
    assert routed is not None and routed.assignee_id == agent.id
    async with db.session() as session:
        row = await session.scalar(select(Conversation).where(Conversation.id == conversation.id))
        assert row is not None and row.queue_id == queue.id and row.assigned_at is not None


async def test_agents_without_skills_serve_every_queue_but_supervisors_do_not(
    db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "售后", "aftersales")
    supervisor = await factory.user(shop, role="supervisor")
    async with db.session() as session:
        now = utcnow()
        session.add(
            AgentState(
                user_id=supervisor.id, shop_id=shop.id, presence="online", presence_auto=False,
                last_seen_at=now, max_chats=5, peak_squad=False, updated_at=now,
            )
        )  # fmt: skip
        await session.commit()
    conversation = await queued(factory, shop, queue)
    async with db.session() as session:
        routed = await service.route_conversation(
            session, shop_id=shop.id, conversation_id=conversation.id, now=utcnow()
        )
    assert routed is not None and routed.assignee_id is None
    generalist = await make_agent(factory, shop, skills={})
    async with db.session() as session:
        done = await service.dispatch(session, shop_id=shop.id, now=utcnow())
    assert [r.assignee_id for r in done] == [generalist.id]
