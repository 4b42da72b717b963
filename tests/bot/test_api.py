"""The bot's API: settings for admins, analytics and unanswered questions for supervisors, and
a conversation's bot turns for agents."""

from __future__ import annotations

import httpx

from kefu.bot.analytics import group_questions, question_key
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.bot.chat import Chat, enable_bot
from tests.factories import Factory, login


async def test_settings_default_off_and_admins_change_them(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="admin"))
    response = await client.get("/api/v1/bot/settings")
    assert response.status_code == 200
    assert response.json() == {
        "enabled": False,
        "handoff_vip_level": None,
        "max_out_of_scope": 2,
        "return_window_days": 7,
        "greeting_zh": "",
        "greeting_en": "",
        "packaged_model": None,
        "has_model": False,
    }
    changed = await client.patch(
        "/api/v1/bot/settings",
        json={"enabled": True, "handoff_vip_level": 3, "greeting_zh": "欢迎光临！"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["enabled"] is True and changed.json()["handoff_vip_level"] == 3
    off = await client.patch("/api/v1/bot/settings", json={"handoff_vip_level": None})
    assert off.json()["handoff_vip_level"] is None and off.json()["enabled"] is True
    bad = await client.patch("/api/v1/bot/settings", json={"max_out_of_scope": 0})
    assert bad.status_code == 422
    demo = await client.patch("/api/v1/bot/settings", json={"packaged_model": "demo-apparel"})
    assert demo.json()["packaged_model"] == "demo-apparel"
    unknown = await client.patch("/api/v1/bot/settings", json={"packaged_model": "nope"})
    assert unknown.status_code == 422 and "nope" in unknown.text
    audit = await client.get("/api/v1/audit")
    assert any(row["action"] == "bot.settings" for row in audit.json())


async def test_greeting_from_settings_is_used(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop, greeting_zh="欢迎光临小店！")
    chat = await Chat.open(factory, shop)
    await chat.say("你好")
    assert await chat.last_reply() == "欢迎光临小店！"


async def test_analytics_counts_containment_and_handoff_reasons(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    contained = await Chat.open(factory, shop)
    await contained.say("你好")
    await contained.say("谢谢")
    handed = await Chat.open(factory, shop)
    await handed.say("转人工")
    lost = await Chat.open(factory, shop)
    await lost.say("量子纠缠的原理是什么")
    await lost.say("量子纠缠的原理是什么。")
    await login(client, await factory.user(shop, role="supervisor"))
    body = (await client.get("/api/v1/bot/analytics")).json()
    assert (body["conversations"], body["contained"], body["turns"]) == (3, 1, 5)
    assert body["containment_rate"] == round(1 / 3, 4)
    assert {c["key"]: c["count"] for c in body["handoffs"]} == {
        "explicit_request": 1,
        "out_of_scope": 1,
    }
    assert {c["key"] for c in body["top_intents"]} == {"greeting", "thanks", "human_request"}
    unanswered = (await client.get("/api/v1/bot/unanswered")).json()
    assert len(unanswered) == 1
    assert unanswered[0]["count"] == 2 and unanswered[0]["text"] == "量子纠缠的原理是什么。"
    assert unanswered[0]["conversation_ids"] == [lost.conversation.id]
    since = (utcnow().replace(year=2000)).isoformat()
    empty = await client.get(
        "/api/v1/bot/analytics", params={"since": since, "until": since.replace("2000", "2001")}
    )
    assert empty.json()["conversations"] == 0 and empty.json()["containment_rate"] == 0.0


async def test_agents_see_the_bots_turns_in_a_conversation(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    await chat.say("我要投诉！！你们太垃圾了")
    await login(client, await factory.user(shop, role="agent"))
    body = (await client.get(f"/api/v1/conversations/{chat.conversation.id}/bot")).json()
    assert body["handed_over"] is True and body["handoff_reason"] == "angry"
    [turn] = body["turns"]
    assert turn["angry"] is True and turn["action"] == "handover"
    quiet = await factory.conversation(shop)
    none = (await client.get(f"/api/v1/conversations/{quiet.id}/bot")).json()
    assert none["turns"] == [] and none["handed_over"] is False


def test_similar_questions_are_grouped_newest_first() -> None:
    now = utcnow()
    rows = [
        ("能开增值税专票吗？", now, 3),
        ("能开增值税专票吗", now.replace(year=2025), 2),
        ("Do you ship to Macau?", now.replace(year=2024), 1),
    ]
    assert question_key("Do you  ship to MACAU?!") == question_key("do you ship to macau")
    groups = group_questions(rows, limit=10)
    assert [(g.text, g.count, g.conversation_ids) for g in groups] == [
        ("能开增值税专票吗？", 2, [3, 2]),
        ("Do you ship to Macau?", 1, [1]),
    ]
