"""The knowledge base pages (list, editor, history, publishing) and the agent-assist card beside
a conversation."""

from __future__ import annotations

import re
from html import unescape

import httpx
from sqlalchemy import select

from kefu.accounts.models import Shop
from kefu.accounts.service import principal_for_user
from kefu.knowledge import kb
from kefu.knowledge.kb_schemas import KbArticleIn
from kefu.knowledge.models import KbArticle
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.web.support import HTMX, web_login

RETURNS = KbArticleIn(
    title="支持七天无理由退货吗？",
    questions=["不想要了可以退吗", "买错了能退吗"],
    body="{customer_name}您好，签收后 7 天内商品完好即可申请<b>七天无理由</b>退货。",
)
INVOICE = KbArticleIn(
    title="可以开发票吗？", questions=["怎么开发票"], body="可以，下单时填写发票抬头即可。"
)


async def _article(
    db: Database, factory: Factory, shop: Shop, data: KbArticleIn, publish: bool = True
) -> int:
    editor = principal_for_user(await factory.user(shop, role="supervisor"))
    async with db.session() as session:
        detail = await kb.create_article(session, actor=editor, data=data, now=utcnow())
        if publish:
            await kb.publish_article(
                session, actor=editor, article_id=detail.article.id, version_id=None, now=utcnow()
            )
        return detail.article.id


# ---- the list -------------------------------------------------------------------------------


async def test_agents_see_published_entries_and_ranked_answers(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    returns = await _article(db, factory, shop, RETURNS)
    draft = await _article(db, factory, shop, INVOICE, publish=False)
    await web_login(client, await factory.user(shop))

    page = await client.get("/kb")
    assert page.status_code == 200
    assert f'id="kb-article-{returns}"' in page.text
    assert f'id="kb-article-{draft}"' not in page.text
    assert "新建问答" not in page.text and 'name="status"' not in page.text
    assert 'href="/kb" aria-current="page"' in page.text  # the nav link

    found = await client.get("/kb", params={"q": "东西不想要了可以退吗"})
    assert f'id="kb-hit-{returns}"' in found.text
    assert "匹配度" in found.text and "&lt;b&gt;" in found.text and "<b>" not in found.text


async def test_supervisors_create_edit_publish_and_restore_through_forms(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    csrf = await web_login(client, await factory.user(shop, role="supervisor", name="王主管"))
    assert "新建问答" in (await client.get("/kb")).text

    category = await client.post("/kb/categories", data={"csrf_token": csrf, "name": "发票"})
    assert category.status_code == 303
    category_id = category.headers["location"].split("=")[1]

    form = await client.get("/kb/new", params={"kind": "faq", "category": category_id})
    assert 'name="questions"' in form.text
    assert f'<option value="{category_id}" selected>' in form.text
    bad = await client.post(
        "/kb", data={"csrf_token": csrf, "kind": "faq", "title": "", "body": "答案"}
    )
    assert bad.status_code == 422 and "请填写标题" in bad.text and "答案" in bad.text
    created = await client.post(
        "/kb",
        data={
            "csrf_token": csrf,
            "kind": "faq",
            "title": "可以开发票吗？",
            "questions": "怎么开发票\n\n能开专票吗\n",
            "body": "可以。",
            "category": category_id,
            "language": "zh",
        },
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    editor = await client.get(path)
    assert "尚未发布" in editor.text and "发布 v1" in editor.text
    assert "怎么开发票\n能开专票吗</textarea>" in editor.text

    await client.post(f"{path}/publish", data={"csrf_token": csrf})
    saved = await client.post(
        path,
        data={
            "csrf_token": csrf,
            "title": "可以开发票吗？",
            "questions": "怎么开发票\n能开专票吗",
            "body": "可以，电子发票发到邮箱。",
            "category": category_id,
            "language": "zh",
            "note": "写明发票去向",
        },
    )
    assert saved.status_code == 303
    page = await client.get(path)
    assert "已发布 v1" in page.text and "最新的 v2 尚未发布" in page.text
    assert "写明发票去向" in page.text and "王主管" in page.text
    restore = re.search(r'action="(/kb/\d+/versions/\d+/restore)"', page.text)
    assert restore is not None
    await client.post(restore.group(1), data={"csrf_token": csrf})
    async with db.session() as session:
        article = await session.scalar(select(KbArticle).where(KbArticle.shop_id == shop.id))
        assert article is not None and article.latest_version_no == 3
    listing = await client.get("/kb", params={"status": "published"})
    assert "有未发布的修改" in listing.text


async def test_agents_cannot_open_the_editor_or_post(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    article_id = await _article(db, factory, shop, RETURNS)
    csrf = await web_login(client, await factory.user(shop))
    assert (await client.get("/kb/new")).status_code == 403
    read = await client.get(f"/kb/{article_id}")
    assert read.status_code == 200 and "kb-read" in read.text and 'name="body"' not in read.text
    refused = await client.post(f"/kb/{article_id}/publish", data={"csrf_token": csrf})
    assert refused.status_code == 403


# ---- agent assist ---------------------------------------------------------------------------


async def test_assist_suggests_the_faq_for_the_latest_customer_message_escaped(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    returns = await _article(db, factory, shop, RETURNS)
    invoice = await _article(db, factory, shop, INVOICE)
    customer = await factory.customer(shop, name="<i>张伟</i>")
    conversation = await factory.conversation(
        shop, customer=customer, messages=("可以开发票吗", "东西买错了能退吗<script>")
    )
    await web_login(client, await factory.user(shop))

    page = await client.get(f"/conversations/{conversation.id}")
    assert f'hx-get="/conversations/{conversation.id}/assist"' in page.text
    assert "kefu-assist.js" in page.text

    card = await client.get(f"/conversations/{conversation.id}/assist", headers=HTMX)
    assert card.status_code == 200
    html = card.text
    first = html.index(f'id="assist-{returns}"')
    assert f'id="assist-{invoice}"' not in html[:first], "the latest message decides"
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "买错了能退吗&lt;script&gt;" in html
    bodies = [unescape(b) for b in re.findall(r'data-assist-body="([^"]*)"', html)]
    assert bodies[0] == "<i>张伟</i>您好，签收后 7 天内商品完好即可申请<b>七天无理由</b>退货。"


async def test_assist_says_so_when_nothing_matches_or_nobody_wrote(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await _article(db, factory, shop, RETURNS)
    silent = await factory.conversation(shop, messages=())
    chatty = await factory.conversation(shop, messages=("量子力学",))
    other = await factory.conversation(await factory.shop(), messages=("能退吗",))
    await web_login(client, await factory.user(shop))
    assert "顾客还没有发消息" in (await client.get(f"/conversations/{silent.id}/assist")).text
    none = await client.get(f"/conversations/{chatty.id}/assist")
    assert "没有找到匹配的答案" in none.text and "assist-insert" not in none.text
    assert (await client.get(f"/conversations/{other.id}/assist")).status_code == 404
