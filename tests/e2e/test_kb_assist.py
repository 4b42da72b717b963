"""Agent assist in Chromium: a customer asks, the knowledge base's answer is suggested beside the
chat, the agent inserts it and sends it; the customer asks something else and the suggestion
follows live. Also the knowledge base pages as a supervisor sees them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from kefu.accounts.service import principal_for_user
from kefu.knowledge import kb, kb_categories
from kefu.knowledge.kb_schemas import KbArticleIn, KbArticleUpdate, KbCategoryIn
from kefu.migrations import upgrade
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, kefu_server, needs_chromium
from tests.e2e.shots import shoot
from tests.e2e.test_agent_flow import Visitor, _count_bodies, _note_console
from tests.factories import PASSWORD, Factory

RETURNS_ANSWER = "亲，签收后 7 天内商品完好即可申请七天无理由退货，在订单页点“申请售后”。"
FAQS = (
    ("退换货", "支持七天无理由退货吗？", ["买错了能退吗", "不想要了可以退吗"], RETURNS_ANSWER),
    ("发票", "可以开发票吗？", ["怎么开发票", "能开专票吗"], "可以，下单时填写发票抬头即可。"),
    ("配送", "多久发货？", ["什么时候发货", "怎么还没发货"], "付款后 24 小时内从深圳仓发出。"),
)

pytestmark = needs_chromium


@dataclass(frozen=True)
class Shop:
    base_url: str
    database_url: str
    agent_email: str
    supervisor_email: str
    shop_slug: str
    drafted_id: int


async def _seed(url: str) -> Shop:
    db = Database(url)
    try:
        make = Factory(db)
        shop = await make.shop("极客数码")
        agent = await make.user(shop, name="李娜")
        supervisor = await make.user(shop, role="supervisor", name="王主管")
        editor = principal_for_user(supervisor)
        async with db.session() as session:
            for name, title, questions, answer in FAQS:
                category = await kb_categories.create_category(
                    session, actor=editor, data=KbCategoryIn(name=name), now=utcnow()
                )
                data = KbArticleIn(
                    title=title, questions=questions, body=answer, category_id=category.id
                )
                detail = await kb.create_article(session, actor=editor, data=data, now=utcnow())
                await kb.publish_article(
                    session, actor=editor, article_id=detail.article.id, version_id=None,
                    now=utcnow(),
                )  # fmt: skip
            # One with history and a pending draft, for the editor's screenshot.
            await kb.update_article(
                session, actor=editor, article_id=detail.article.id,
                data=KbArticleUpdate(body="付款后 24 小时内从深圳仓发出，大促顺延 1-2 天。",
                                     note="补充大促"),
                now=utcnow(),
            )  # fmt: skip
        return Shop("", url, agent.email, supervisor.email, shop.slug, detail.article.id)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    folder = tmp_path_factory.mktemp("e2e-kb")
    url = f"sqlite+aiosqlite:///{folder / 'kefu.db'}"
    upgrade(url)
    seeded = asyncio.run(_seed(url))
    with kefu_server(url, folder) as base_url:
        yield Shop(base_url, url, seeded.agent_email, seeded.supervisor_email,
                   seeded.shop_slug, seeded.drafted_id)  # fmt: skip


def _login(page: object, base: str, email: str, expect: object) -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("form button[type=submit]")  # type: ignore[attr-defined]
    expect(page).to_have_url(f"{base}/conversations")  # type: ignore[operator]


def test_agent_inserts_a_suggested_answer_and_sends_it(server: Shop) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    ws_client = pytest.importorskip("websockets.sync.client")
    expect = sync_api.expect
    problems: list[str] = []
    base = server.base_url

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("console", lambda m: _note_console(m.type, m.text, problems))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            _login(page, base, server.agent_email, expect)
            url = base.replace("http://", "ws://") + f"/ws/chat/{server.shop_slug}"
            with ws_client.connect(url, open_timeout=5) as socket:
                visitor = Visitor(socket)
                visitor.until("welcome")
                cid = visitor.say("东西买错了，能退吗？")["conversation_id"]
                page.goto(f"{base}/conversations/{cid}")

                # The card loads with the page and offers the returns answer first.
                items = page.locator("#assist-card .assist-item")
                expect(items.first).to_contain_text("支持七天无理由退货吗？")
                expect(page.locator("#assist-card .assist-message")).to_contain_text("买错了")
                shoot(page, "kb-assist.png")

                box = page.locator("#reply-body")
                items.first.locator("button.assist-insert").click()
                expect(box).to_have_value(RETURNS_ANSWER)
                expect(box).to_be_focused()
                page.click("#reply-form button[type=submit]")
                mine = page.locator("#timeline .message.from-agent .message-body").last
                expect(mine).to_have_text(RETURNS_ANSWER)
                expect(box).to_have_value("")

                # The customer asks something else: the suggestions follow without a reload.
                page.evaluate("window.kefuMarker = 'assist'")
                visitor.say("对了，可以开发票吗")
                expect(page.locator("#assist-card .assist-message")).to_contain_text("开发票")
                expect(items.first).to_contain_text("可以开发票吗？")
                box.fill("您好，")
                items.first.locator("button.assist-insert").click()
                expect(box).to_have_value("您好，\n可以，下单时填写发票抬头即可。")
                assert page.evaluate("window.kefuMarker") == "assist", "the page reloaded"
        finally:
            browser.close()

    assert problems == [], problems
    assert asyncio.run(_count_bodies(server.database_url, cid, RETURNS_ANSWER)) == 1


def test_supervisor_searches_and_publishes_in_the_knowledge_base(server: Shop) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    problems: list[str] = []
    base = server.base_url

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("console", lambda m: _note_console(m.type, m.text, problems))
            _login(page, base, server.supervisor_email, expect)
            page.click("nav.topnav a[href='/kb']")
            expect(page).to_have_url(f"{base}/kb")
            expect(page.locator(".kb-table tbody tr")).to_have_count(3)
            expect(page.locator(".kb-categories")).to_contain_text("发票")
            shoot(page, "kb-list.png")

            page.fill("#kb-q", "不想要了还能退吗")
            page.click(".kb-filters button[type=submit]")
            expect(page.locator(".kb-hit").first).to_contain_text("支持七天无理由退货吗？")
            shoot(page, "kb-search.png")

            page.goto(f"{base}/kb/{server.drafted_id}")
            expect(page.locator(".kb-status-card")).to_contain_text("最新的 v2 尚未发布")
            expect(page.locator(".kb-version")).to_have_count(2)
            shoot(page, "kb-editor.png")
            page.click("button.kb-publish")
            expect(page.locator(".kb-status-card")).to_contain_text("已发布 v2")
            expect(page.locator(".kb-version.is-current")).to_contain_text("v2")
        finally:
            browser.close()

    assert problems == [], problems
