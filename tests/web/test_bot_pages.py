"""The bot in the workspace: its block beside a conversation and the supervisors' bot page."""

from __future__ import annotations

import httpx

from kefu.shared.db import Database
from tests.bot.chat import Chat, enable_bot
from tests.factories import Factory
from tests.web.support import HTMX, web_login


async def test_conversation_page_shows_what_the_bot_made_of_it(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    await chat.say("你们太垃圾了，我要投诉！！")
    await web_login(client, await factory.user(shop))
    page = await client.get(f"/conversations/{chat.conversation.id}")
    assert f'hx-get="/conversations/{chat.conversation.id}/bot-panel"' in page.text
    block = await client.get(f"/conversations/{chat.conversation.id}/bot-panel", headers=HTMX)
    assert block.status_code == 200
    assert "机器人 / Bot" in block.text and "客户情绪激动" in block.text and "愤怒" in block.text
    quiet = await factory.conversation(shop)
    empty = await client.get(f"/conversations/{quiet.id}/bot-panel", headers=HTMX)
    assert "机器人 / Bot" not in empty.text


async def test_supervisors_see_bot_figures_and_unanswered_questions(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    await chat.say("<b>你们卖不卖火箭</b>")
    await web_login(client, await factory.user(shop, role="supervisor"))
    page = await client.get("/bot")
    assert page.status_code == 200
    assert (
        "机器人数据" in page.text and "100.0%" in page.text
    )  # understood nothing, never handed over
    assert "&lt;b&gt;你们卖不卖火箭&lt;/b&gt;" in page.text  # customer text is escaped
    assert f'href="/conversations/{chat.conversation.id}"' in page.text


async def test_agents_do_not_get_the_bot_page(client: httpx.AsyncClient, factory: Factory) -> None:
    shop = await factory.shop()
    await web_login(client, await factory.user(shop))
    assert (await client.get("/bot")).status_code == 403
    assert 'href="/bot"' not in (await client.get("/conversations")).text
