"""The bot's turn on real conversations and commerce data: flows, knowledge answers, hand-over."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.bot.packaged import demo_model_name
from kefu.bot.tables import BotTurn
from kefu.commerce.models import Order, ReturnRequest
from kefu.conversations import service as conversations
from kefu.conversations.schemas import MessageIn
from kefu.knowledge import kb
from kefu.knowledge.kb_schemas import KbArticleIn
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.bot.chat import Chat, enable_bot, ship
from tests.commerce.builders import Commerce
from tests.factories import Factory
from tests.routing.support import make_agent


async def test_order_status_with_the_number_replies_with_latest_tracking(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    order = await Commerce(db).order(shop, order_no="NO900001", status="shipped")
    await ship(
        db,
        order,
        events=(
            (utcnow() - timedelta(days=1), "in_transit", "快件已揽收"),
            (utcnow() - timedelta(hours=3), "in_transit", "快件已到达杭州转运中心"),
        ),
    )
    chat = await Chat.open(factory, shop)
    turn = await chat.say("我的订单到哪了 NO900001")
    assert turn is not None
    assert (turn.intent, turn.action, turn.flow, turn.answered) == (
        "order_status", "flow", "order_status", True,
    )  # fmt: skip
    reply = await chat.last_reply()
    assert "快件已到达杭州转运中心" in reply and "NO900001" in reply
    assert [a.kind for a in await chat.actions()] == ["order_status"]
    # Answered: the conversation waits on the customer, out of the agents' open queue.
    assert (await chat.fresh_conversation()).status == "pending"


async def test_order_status_asks_for_the_number_then_answers_it(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    await Commerce(db).order(shop, customer=chat.customer, order_no="NO900011")
    await Commerce(db).order(shop, customer=chat.customer, order_no="NO900012", status="shipped")
    first = await chat.say("Where is my order?")
    assert first is not None and first.action == "ask"
    assert "NO900011" in await chat.last_reply() and (await chat.state()).pending == "order_no"
    second = await chat.say("NO900012")
    assert second is not None and second.action == "flow" and second.intent == "order_status"
    assert "Order NO900012 shipped" in await chat.last_reply() or "NO900012" in (
        await chat.last_reply()
    )
    assert (await chat.state()).pending is None


async def test_the_customers_only_order_needs_no_number(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    await Commerce(db).order(shop, customer=chat.customer, order_no="NO900021")
    await chat.say("我的快递什么时候到")
    assert "NO900021" in await chat.last_reply() and "还没有发货" in await chat.last_reply()


async def test_unknown_order_number_is_asked_again(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    turn = await chat.say("查一下订单 NO999999 的物流")
    assert turn is not None and turn.action == "ask"
    assert "没有找到订单号 NO999999" in await chat.last_reply()


async def _delivered_order(
    db: Database, chat: Chat, order_no: str, days_ago: float, status: str = "delivered"
) -> Order:
    order = await Commerce(db).order(
        chat.shop, customer=chat.customer, order_no=order_no, status=status
    )
    if status == "delivered":
        await ship(db, order, status="delivered", delivered_at=utcnow() - timedelta(days=days_ago))
    return order


async def _returns(db: Database, order: Order) -> list[ReturnRequest]:
    async with db.session() as session:
        rows = await session.scalars(
            select(ReturnRequest).where(ReturnRequest.order_id == order.id)
        )
        return list(rows.all())


async def test_return_within_the_window_opens_a_case(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop, return_window_days=7)
    chat = await Chat.open(factory, shop)
    order = await _delivered_order(db, chat, "NO900031", days_ago=2)
    turn = await chat.say("衣服太小了，我要退货 NO900031")
    assert turn is not None and turn.flow == "return_request" and turn.answered
    [case] = await _returns(db, order)
    assert (case.kind, case.status, case.reason) == (
        "return",
        "requested",
        "衣服太小了，我要退货 NO900031",
    )
    assert f"编号 {case.id}" in await chat.last_reply()
    [action] = await chat.actions()
    assert action.kind == "return_created" and action.payload["case_id"] == case.id


async def test_return_after_the_window_is_refused_with_a_reason(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop, return_window_days=7)
    chat = await Chat.open(factory, shop)
    order = await _delivered_order(db, chat, "NO900041", days_ago=9)
    await chat.say("我要退货 NO900041")
    assert await _returns(db, order) == []
    assert "超过 7 天" in await chat.last_reply()
    assert [a.kind for a in await chat.actions()] == ["return_refused"]


async def test_return_of_an_undelivered_order_is_explained(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    order = await _delivered_order(db, chat, "NO900051", days_ago=0, status="shipped")
    await chat.say("I want to return order NO900051")
    assert await _returns(db, order) == []
    assert "has not been delivered yet" in await chat.last_reply()


async def test_exchange_opens_an_exchange_case(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    order = await _delivered_order(db, chat, "NO900061", days_ago=1)
    await chat.say("鞋子小了想换货")  # the customer's only order
    [case] = await _returns(db, order)
    assert case.kind == "exchange" and "换货申请" in await chat.last_reply()


async def test_address_change_before_dispatch_takes_the_new_address(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    order = await Commerce(db).order(shop, customer=chat.customer, order_no="NO900071")
    asked = await chat.say("我想修改收货地址")
    assert asked is not None and asked.action == "ask"
    assert (await chat.state()).pending == "address"
    done = await chat.say("北京市朝阳区建国路 88 号 SOHO 现代城 1 号楼")
    assert done is not None and done.action == "flow" and done.intent == "address_change"
    async with db.session() as session:
        changed = await session.get(Order, order.id)
        assert changed is not None
        assert changed.shipping_address == "北京市朝阳区建国路 88 号 SOHO 现代城 1 号楼"
    [action] = await chat.actions()
    assert action.kind == "address_changed" and action.payload["new"].startswith("北京市")
    assert (await chat.state()).pending is None


async def test_address_change_after_shipping_is_refused(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    order = await Commerce(db).order(shop, customer=chat.customer, status="shipped")
    await ship(db, order)
    await chat.say("地址写错了，能改吗")
    assert "已无法修改地址" in await chat.last_reply()
    assert [a.kind for a in await chat.actions()] == ["address_refused"]


async def test_invoice_request_is_logged(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    await Commerce(db).order(shop, customer=chat.customer, order_no="NO900081")
    await chat.say("NO900081 需要开发票，抬头是某某科技有限公司")
    [action] = await chat.actions()
    assert action.kind == "invoice_requested" and "某某科技" in action.payload["request"]
    assert "开票申请" in await chat.last_reply()


async def test_someone_elses_order_is_never_changed(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    owner = await factory.customer(shop)
    order = await Commerce(db).order(shop, customer=owner, order_no="NO900091")
    chat = await Chat.open(factory, shop)
    turn = await chat.say("帮我改一下地址 NO900091")
    assert turn is not None and turn.handoff_reason == "flow"
    assert [a.kind for a in await chat.actions()] == ["not_owner"]
    async with db.session() as session:
        unchanged = await session.get(Order, order.id)
        assert unchanged is not None and unchanged.shipping_address == order.shipping_address


async def test_asking_for_a_person_hands_over_with_note_and_expected_wait(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    await make_agent(factory, shop, skills={})
    chat = await Chat.open(factory, shop)
    await chat.say("你好")
    turn = await chat.say("转人工")
    assert turn is not None and turn.handoff_reason == "explicit_request"
    assert turn.action == "handover" and turn.intent == "human_request"
    state = await chat.state()
    assert state.handed_over_at is not None and state.handoff_reason == "explicit_request"
    [note] = await chat.bot_messages(internal=True)
    assert "explicit_request" in note and "human_request" in note
    assert "客户：你好" in note and "机器人：" in note and "客户：转人工" in note
    # The router's prediction: an agent online with a free seat, so about a minute.
    assert "预计等待约 1 分钟" in await chat.last_reply()
    assert (await chat.fresh_conversation()).status == "open"
    # From now on people answer: the bot stays silent.
    assert await chat.say("还在吗") is None


async def test_everyone_busy_is_told_to_hold_on_not_that_nobody_is_there(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    await make_agent(factory, shop, skills={}, chats=0)  # online, but no room at all
    chat = await Chat.open(factory, shop)
    await chat.say("转人工")
    assert "客服都在忙" in await chat.last_reply()


async def test_nobody_online_is_told_to_leave_a_message(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    chat.agents_online = 0
    await chat.say("talk to a human please")
    assert "No one is online right now" in await chat.last_reply()


async def test_anger_raises_priority_and_hands_over(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    turn = await chat.say("你们这什么垃圾服务，骗子！我要投诉！！！")
    assert turn is not None and turn.angry and turn.handoff_reason == "angry"
    assert (await chat.fresh_conversation()).priority == "high"
    assert (await chat.last_reply()).startswith("非常抱歉")
    [note] = await chat.bot_messages(internal=True)
    assert "愤怒" in note and "投诉" in note


async def test_out_of_scope_twice_hands_over(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    first = await chat.say("量子纠缠的原理是什么")
    assert first is not None and first.action == "fallback" and first.intent is None
    assert "没有理解" in await chat.last_reply()
    second = await chat.say("火星上能种土豆吗")
    assert second is not None and second.handoff_reason == "out_of_scope"


async def test_vip_hand_over_is_configurable(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop, handoff_vip_level=3)
    vip = await Chat.open(factory, shop, customer=await factory.customer(shop, vip_level=3))
    turn = await vip.say("我的订单到哪了")
    assert turn is not None and turn.handoff_reason == "vip"
    regular = await Chat.open(factory, shop, customer=await factory.customer(shop, vip_level=2))
    turn = await regular.say("我的订单到哪了")
    assert turn is not None and turn.handoff_reason is None


async def test_knowledge_base_answers_faqs(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    owner = await factory.user(shop, role="owner")
    actor = Principal(shop_id=shop.id, role=Role.OWNER, user_id=owner.id)
    async with db.session() as session:
        article = await kb.create_article(
            session,
            actor=actor,
            now=utcnow(),
            data=KbArticleIn(
                title="支持七天无理由吗",
                body="{customer_name}您好，支持，签收后七天内可无理由退换。",
                questions=["可以七天无理由吗", "不喜欢可以退吗"],
            ),
        )
        await kb.publish_article(
            session, actor=actor, article_id=article.article.id, version_id=None, now=utcnow()
        )
    chat = await Chat.open(factory, shop)
    turn = await chat.say("支持七天无理由退货吗？")  # names a return, but asks about the rule
    assert turn is not None and turn.intent == f"faq:{article.article.id}" and turn.answered
    # Placeholders are filled as in a canned reply.
    assert await chat.last_reply() == f"{chat.customer.name}您好，支持，签收后七天内可无理由退换。"


async def test_the_bot_steps_back_once_an_agent_answered(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    agent = await factory.user(shop)
    chat = await Chat.open(factory, shop)
    async with db.session() as session:
        await conversations.post_message(
            session,
            actor=Principal(shop_id=shop.id, role=Role.AGENT, user_id=agent.id),
            conversation_id=chat.conversation.id,
            data=MessageIn(body="您好，我来帮您看看"),
            now=utcnow(),
        )
    assert await chat.say("我的订单到哪了") is None
    assert (await chat.state()).handoff_reason == "agent_joined"
    assert await chat.bot_messages() == []


async def test_each_message_is_answered_once(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    message_id = await chat.write("谢谢")
    assert await chat.answer(message_id) is not None
    assert await chat.answer(message_id) is None
    assert len(await chat.bot_messages()) == 1


async def test_disabled_bot_and_email_stay_silent(factory: Factory, db: Database) -> None:
    off = await factory.shop()
    chat = await Chat.open(factory, off)
    assert await chat.say("我的订单到哪了") is None
    shop = await factory.shop()
    await enable_bot(db, shop)
    mail = await Chat.open(factory, shop, channel="email")
    assert await mail.say("我的订单到哪了") is None
    async with db.session() as session:
        turns = await session.scalars(select(BotTurn).where(BotTurn.shop_id.in_([off.id, shop.id])))
        assert turns.all() == []


async def test_a_packaged_model_answers_faqs_named_by_their_main_question(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop, packaged_model=demo_model_name("electronics"))
    owner = await factory.user(shop, role="owner")
    actor = Principal(shop_id=shop.id, role=Role.OWNER, user_id=owner.id)
    async with db.session() as session:
        article = await kb.create_article(
            session,
            actor=actor,
            now=utcnow(),
            data=KbArticleIn(
                title="优惠券用不了是什么原因？",
                body="请检查使用门槛和有效期。",
                questions=["优惠券显示不可用", "为什么券用不上"],
            ),
        )
        await kb.publish_article(
            session, actor=actor, article_id=article.article.id, version_id=None, now=utcnow()
        )
    chat = await Chat.open(factory, shop)
    turn = await chat.say("优惠券用不了")
    assert turn is not None and turn.intent == f"faq:{article.article.id}" and turn.answered
    turn = await chat.say("这个我不想要了")  # no keyword cue: the packaged model knows it
    assert turn is not None and turn.intent == "return_request" and turn.action == "ask"
