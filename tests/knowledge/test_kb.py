"""The knowledge base: drafts, versions, publishing and history; who reads and who writes; one
shop never sees another's; ranked search finds a FAQ by any of its phrasings, in Chinese and
English, and never a draft."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from kefu.accounts.models import AuditEvent, Shop
from kefu.knowledge.kb_search import kb_answers, snippet
from kefu.shared.db import Database
from tests.factories import Factory, login

BASE = "/api/v1/kb"

RETURNS = {
    "kind": "faq",
    "title": "支持七天无理由退货吗？",
    "questions": ["不想要了可以退吗", "买错了能退吗", " 不想要了可以退吗 ", ""],
    "body": "支持。签收后 7 天内商品完好即可申请七天无理由退货。",
}
INVOICE = {
    "kind": "faq",
    "title": "可以开发票吗？",
    "questions": ["怎么开发票", "能开增值税专用发票吗"],
    "body": "可以，下单时填写发票抬头和税号即可开具电子发票。",
}
SHIPPING_EN = {
    "kind": "faq",
    "language": "en",
    "title": "How long does shipping take?",
    "questions": ["When will my order ship?", "Where is my parcel?"],
    "body": "Orders ship within 48 hours and arrive in 1-4 days.",
}


async def _create(client: httpx.AsyncClient, data: dict[str, Any], publish: bool = True) -> int:
    created = await client.post(f"{BASE}/articles", json=data)
    assert created.status_code == 201, created.text
    article_id: int = created.json()["id"]
    if publish:
        published = await client.post(f"{BASE}/articles/{article_id}/publish")
        assert published.status_code == 200, published.text
    return article_id


async def _editor(client: httpx.AsyncClient, factory: Factory) -> Shop:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    return shop


# ---- versions, publishing, history ----------------------------------------------------------


async def test_editing_makes_drafts_and_publishing_makes_a_version_current(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await _editor(client, factory)
    created = await client.post(f"{BASE}/articles", json=RETURNS)
    assert created.status_code == 201, created.text
    article = created.json()
    assert article["status"] == "draft" and article["current"] is None and article["has_draft"]
    assert article["latest"]["number"] == 1
    assert article["latest"]["questions"] == ["不想要了可以退吗", "买错了能退吗"]
    article_id = article["id"]

    published = (await client.post(f"{BASE}/articles/{article_id}/publish")).json()
    assert published["status"] == "published" and not published["has_draft"]
    assert published["current"]["number"] == 1

    edited = await client.patch(
        f"{BASE}/articles/{article_id}",
        json={"body": "支持。签收后 7 天内可申请，运费险可抵运费。", "note": "补充运费险"},
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["latest"]["number"] == 2 and body["latest"]["note"] == "补充运费险"
    assert body["current"]["number"] == 1 and body["has_draft"]
    assert body["latest"]["questions"] == RETURNS["questions"][:2]  # unchanged, carried over

    same = await client.patch(f"{BASE}/articles/{article_id}", json={"title": RETURNS["title"]})
    assert same.json()["latest"]["number"] == 2, "an edit that changes nothing is no version"

    await client.post(f"{BASE}/articles/{article_id}/publish")
    versions = (await client.get(f"{BASE}/articles/{article_id}/versions")).json()
    assert [v["number"] for v in versions] == [2, 1]
    assert [v["is_current"] for v in versions] == [True, False]

    restored = await client.post(
        f"{BASE}/articles/{article_id}/versions/{versions[1]['id']}/restore"
    )
    assert restored.status_code == 201, restored.text
    after = restored.json()
    assert after["latest"]["number"] == 3 and after["latest"]["body"] == RETURNS["body"]
    assert after["current"]["number"] == 2, "restoring drafts; it does not publish"

    republish_old = await client.post(
        f"{BASE}/articles/{article_id}/publish", json={"version_id": versions[1]["id"]}
    )
    assert republish_old.json()["current"]["number"] == 1

    async with db.session() as session:
        actions = (
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.shop_id == shop.id)
                .order_by(AuditEvent.id)
            )
        ).all()
    assert list(actions) == [
        "kb_article.create",
        "kb_article.publish",
        "kb_article.update",
        "kb_article.publish",
        "kb_article.restore",
        "kb_article.publish",
    ]


async def test_archived_articles_leave_search_and_publishing_brings_them_back(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await _editor(client, factory)
    article_id = await _create(client, INVOICE)
    assert (await client.get(f"{BASE}/search", params={"q": "怎么开发票"})).json()
    archived = await client.post(f"{BASE}/articles/{article_id}/archive")
    assert archived.json()["status"] == "archived"
    assert (await client.get(f"{BASE}/search", params={"q": "怎么开发票"})).json() == []
    await client.post(f"{BASE}/articles/{article_id}/publish")
    assert (await client.get(f"{BASE}/search", params={"q": "怎么开发票"})).json()


async def test_bad_input_is_refused_with_reasons(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    await _editor(client, factory)
    blank = await client.post(f"{BASE}/articles", json={**INVOICE, "body": "   "})
    assert blank.status_code == 422
    many = await client.post(
        f"{BASE}/articles", json={**INVOICE, "questions": [f"问法{i}" for i in range(25)]}
    )
    assert many.status_code == 422
    article_id = await _create(client, INVOICE)
    null = await client.patch(f"{BASE}/articles/{article_id}", json={"title": None})
    assert null.status_code == 422
    other = await factory.shop()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url=client.base_url) as c2:
        await login(c2, await factory.user(other, role="owner"))
        foreign = (await c2.post(f"{BASE}/categories", json={"name": "别家"})).json()
    moved = await client.patch(f"{BASE}/articles/{article_id}", json={"category_id": foreign["id"]})
    assert moved.status_code == 422
    assert moved.json()["error"]["code"] == "category_not_found"


# ---- categories -----------------------------------------------------------------------------


async def test_categories_nest_one_level_and_names_are_unique(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await _editor(client, factory)
    top = (await client.post(f"{BASE}/categories", json={"name": "售后", "position": 2})).json()
    child = await client.post(f"{BASE}/categories", json={"name": "退款", "parent_id": top["id"]})
    assert child.status_code == 201, child.text
    taken = await client.post(f"{BASE}/categories", json={"name": "售后"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "category_taken"
    grandchild = await client.post(
        f"{BASE}/categories", json={"name": "极速退款", "parent_id": child.json()["id"]}
    )
    assert grandchild.status_code == 422
    renamed = await client.patch(f"{BASE}/categories/{top['id']}", json={"name": "售后服务"})
    assert renamed.json()["name"] == "售后服务"
    listed = (await client.get(f"{BASE}/categories")).json()
    assert [c["name"] for c in listed] == ["退款", "售后服务"]  # by position, then name


# ---- who may do what ------------------------------------------------------------------------


async def test_agents_read_published_text_only_and_cannot_write(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await _editor(client, factory)
    published = await _create(client, RETURNS)
    await client.patch(f"{BASE}/articles/{published}", json={"body": "草稿里的新答案"})
    draft = await _create(client, INVOICE, publish=False)

    await login(client, await factory.user(shop, role="agent"))
    listed = (await client.get(f"{BASE}/articles")).json()
    assert [a["id"] for a in listed["items"]] == [published]
    article = (await client.get(f"{BASE}/articles/{published}")).json()
    assert article["latest"]["body"] == RETURNS["body"], "agents never see a draft's text"
    assert (await client.get(f"{BASE}/articles/{draft}")).status_code == 404
    drafts = await client.get(f"{BASE}/articles", params={"q": "草稿里的新答案"})
    assert drafts.json()["items"] == []
    assert (await client.post(f"{BASE}/articles", json=INVOICE)).status_code == 403
    assert (await client.post(f"{BASE}/articles/{published}/publish")).status_code == 403
    assert (await client.get(f"{BASE}/articles/{published}/versions")).status_code == 403


async def test_editors_find_drafts_by_substring_with_filters(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await _editor(client, factory)
    draft = await _create(client, INVOICE, publish=False)
    english = await _create(client, SHIPPING_EN)
    by_phrasing = await client.get(f"{BASE}/articles", params={"q": "增值税"})
    assert [a["id"] for a in by_phrasing.json()["items"]] == [draft]
    only_drafts = await client.get(f"{BASE}/articles", params={"status": "draft"})
    assert [a["id"] for a in only_drafts.json()["items"]] == [draft]
    only_en = await client.get(f"{BASE}/articles", params={"language": "en"})
    assert [a["id"] for a in only_en.json()["items"]] == [english]
    percent = await client.get(f"{BASE}/articles", params={"q": "%"})
    assert percent.json()["total"] == 0, "LIKE wildcards are matched literally"


async def test_one_shop_never_sees_anothers_knowledge_base(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await _editor(client, factory)
    mine = await _create(client, RETURNS)

    other = await factory.shop()
    await login(client, await factory.user(other, role="owner"))
    assert (await client.get(f"{BASE}/articles/{mine}")).status_code == 404
    assert (await client.get(f"{BASE}/articles")).json()["total"] == 0
    assert (await client.get(f"{BASE}/search", params={"q": "不想要了可以退吗"})).json() == []
    async with db.session() as session:
        assert await kb_answers(session, other.id, "不想要了可以退吗") == []
        assert [a.article_id for a in await kb_answers(session, shop.id, "不想要了可以退吗")] == [
            mine
        ]


# ---- ranked search ---------------------------------------------------------------------------


async def test_search_finds_the_faq_by_another_phrasing_in_chinese_and_english(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await _editor(client, factory)
    returns = await _create(client, RETURNS)
    invoice = await _create(client, INVOICE)
    shipping = await _create(client, SHIPPING_EN)
    await _create(
        client,
        {
            "kind": "article",
            "title": "配送说明",
            "body": "默认发顺丰速运。" + "偏远地区会改用邮政。" * 30 + "新疆、西藏 5-7 天送达。",
        },
    )

    zh = (await client.get(f"{BASE}/search", params={"q": "东西不想要了，可以退吗"})).json()
    assert zh[0]["article_id"] == returns
    assert zh[0]["matched_question"] == "不想要了可以退吗"
    assert 0.5 < zh[0]["relevance"] <= 1
    assert zh[0]["snippet"] == RETURNS["body"]

    special = (await client.get(f"{BASE}/search", params={"q": "能开专用发票吗"})).json()
    assert special[0]["article_id"] == invoice

    en = (await client.get(f"{BASE}/search", params={"q": "when does my order ship"})).json()
    assert en[0]["article_id"] == shipping and en[0]["language"] == "en"
    only_zh = await client.get(
        f"{BASE}/search", params={"q": "when does my order ship", "language": "zh"}
    )
    assert shipping not in [h["article_id"] for h in only_zh.json()]

    article = (await client.get(f"{BASE}/search", params={"q": "新疆几天送达"})).json()
    assert article[0]["kind"] == "article"
    assert "新疆" in article[0]["snippet"] and article[0]["snippet"].startswith("…")


async def test_drafts_are_not_searchable_until_published(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await _editor(client, factory)
    article_id = await _create(client, INVOICE, publish=False)
    assert (await client.get(f"{BASE}/search", params={"q": "怎么开发票"})).json() == []
    await client.post(f"{BASE}/articles/{article_id}/publish")
    hits = (await client.get(f"{BASE}/search", params={"q": "怎么开发票"})).json()
    assert [h["article_id"] for h in hits] == [article_id]

    # A newer draft changes nothing until it is published; then the index follows.
    await client.patch(
        f"{BASE}/articles/{article_id}", json={"questions": ["发票抬头写错了怎么办"]}
    )
    async with db.session() as session:
        before = await kb_answers(session, shop.id, "发票抬头写错了怎么办")
        assert before == [] or before[0].matched_question != "发票抬头写错了怎么办"
    await client.post(f"{BASE}/articles/{article_id}/publish")
    async with db.session() as session:
        after = await kb_answers(session, shop.id, "发票抬头写错了怎么办", 1)
    assert after[0].matched_question == "发票抬头写错了怎么办"
    assert after[0].answer_text == INVOICE["body"] and after[0].kind == "faq"


async def test_kb_answers_for_text_that_matches_nothing_is_empty(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await _editor(client, factory)
    await _create(client, RETURNS)
    empty_shop = await factory.shop()
    async with db.session() as session:
        assert await kb_answers(session, shop.id, "   ") == []
        assert await kb_answers(session, shop.id, "量子力学") == []
        assert await kb_answers(session, empty_shop.id, "能退货吗") == []


def test_snippet_shows_the_part_that_matches() -> None:
    text = "开头。" * 100 + "七天无理由退货的条件是商品完好。" + "结尾。" * 100
    cut = snippet(text, "无理由退货", width=40)
    assert "无理由退货" in cut and cut.startswith("…") and cut.endswith("…")
    assert snippet("短文本\n\n两行", "x") == "短文本 两行"
    assert snippet(text, "没有的词", width=20).startswith("开头。")
