"""A customer in Chromium: chats in the widget on a shop's page while an agent answers in the
workspace, sees markup only as text, loses the connection without losing or doubling a message,
and leaves a message when nobody is online."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.channels.leave import SUBJECT
from kefu.conversations.models import Conversation, Message
from kefu.migrations import upgrade
from kefu.shared.db import Database
from kefu.web.paths import STATIC_DIR
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, kefu_server, needs_chromium
from tests.e2e.shots import shoot
from tests.factories import PASSWORD, Factory

PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'

pytestmark = needs_chromium


@dataclass(frozen=True)
class Shops:
    base_url: str
    database_url: str
    agent_email: str
    staffed: str  # an agent of this shop logs in
    unstaffed: str  # nobody of this shop is online


async def _seed(url: str) -> dict[str, str]:
    db = Database(url)
    try:
        make = Factory(db)
        staffed = await make.shop("小米旗舰店")
        agent = await make.user(staffed, name="李娜")
        unstaffed = await make.shop("夜猫子小店")
        await make.user(unstaffed, name="不在线")
        return {"email": agent.email, "staffed": staffed.slug, "unstaffed": unstaffed.slug}
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def shops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shops]:
    """The real server (uvicorn, a subprocess) on a free loopback port and a migrated SQLite."""
    folder = tmp_path_factory.mktemp("e2e-chat")
    url = f"sqlite+aiosqlite:///{folder / 'kefu.db'}"
    upgrade(url)
    data = asyncio.run(_seed(url))
    with kefu_server(url, folder) as base_url:
        yield Shops(
            base_url=base_url,
            database_url=url,
            agent_email=data["email"],
            staffed=data["staffed"],
            unstaffed=data["unstaffed"],
        )


async def _query(url: str, statement: Any) -> Any:
    db = Database(url)
    try:
        async with db.session() as session:
            return await session.scalar(statement)
    finally:
        await db.dispose()


def _count(shops: Shops, body: str) -> int:
    statement = select(func.count()).where(Message.body == body)
    return int(asyncio.run(_query(shops.database_url, statement)) or 0)


class Watch:
    """Page errors, console errors and dialogs of every page in a test: all must stay empty."""

    def __init__(self, allowed: tuple[str, ...] = ()) -> None:
        self.problems: list[str] = []
        self.allowed = allowed

    def page(self, page: Any) -> Any:
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("console", self._console)
        page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        return page

    def _console(self, message: Any) -> None:
        if message.type == "error" and not any(a in message.text for a in self.allowed):
            self.problems.append(f"console error: {message.text}")


def _agent_page(browser: Any, shops: Shops, watch: Watch) -> Any:
    expect = pytest.importorskip("playwright.sync_api").expect
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = watch.page(context.new_page())
    page.goto(f"{shops.base_url}/login")
    page.fill("input[name=email]", shops.agent_email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page).to_have_url(f"{shops.base_url}/conversations")
    return page


def _launch(p: Any) -> Any:
    if not (STATIC_DIR / "vendor" / "htmx.min.js").is_file():
        pytest.fail("htmx is not vendored: run `bash scripts/vendor-assets.sh` (make assets)")
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def test_customer_and_agent_chat_live_through_the_widget(shops: Shops) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    watch = Watch()
    question = "你好，我买的耳机什么时候发货？"
    answer = "您好，今天下午发货，明天送达。"

    with sync_api.sync_playwright() as p:
        browser = _launch(p)
        try:
            agent = _agent_page(browser, shops, watch)
            shop_context = browser.new_context(
                viewport={"width": 1280, "height": 800}, locale="zh-CN"
            )
            host = watch.page(shop_context.new_page())
            host.goto(f"{shops.base_url}/chat/{shops.staffed}/demo-host")
            expect(host.locator("#kefu-launcher")).to_be_visible()
            expect(host.locator("#kefu-frame")).to_have_count(0)  # no chat before it is opened
            host.click("#kefu-launcher")
            chat = host.frame_locator("#kefu-frame")
            expect(chat.locator("#chat-presence")).to_have_text("客服在线")
            expect(chat.locator("#chat-composer")).to_be_visible()

            # The customer asks; the message is acknowledged, and the agent sees it live.
            chat.locator("#chat-input").fill(question)
            chat.locator("#chat-input").press("Enter")
            mine = chat.locator(".chat-msg.from-customer")
            expect(mine).to_have_count(1)
            expect(mine.first.locator(".chat-msg-body")).to_have_text(question)
            expect(mine.first).to_have_attribute("data-state", re.compile("sent|read"))
            row = agent.locator(".conv-row", has_text="耳机什么时候发货")
            expect(row).to_be_visible()
            row.first.click()
            expect(agent.locator("#timeline .message-body", has_text=question)).to_have_count(1)

            # The agent opened it: the customer sees it read. Typing shows on both sides.
            expect(mine.first.locator(".chat-msg-state")).to_have_text("已读")
            # Typing signals go out at most every few seconds: keep typing until one lands.
            for _attempt in range(3):
                chat.locator("#chat-input").press_sequentially("还")
                try:
                    expect(agent.locator("#typing-indicator")).to_be_visible(timeout=3500)
                    break
                except AssertionError:
                    continue
            else:
                pytest.fail("the customer's typing never reached the agent")
            chat.locator("#chat-input").fill("")
            agent.fill("#reply-body", answer)
            expect(chat.locator("#chat-typing")).to_be_visible()
            agent.click("#reply-form button[type=submit]")
            theirs = chat.locator(".chat-msg.from-agent")
            expect(theirs).to_have_count(1)
            expect(theirs.first.locator(".chat-msg-body")).to_have_text(answer)
            expect(chat.locator("#chat-typing")).to_be_hidden()

            # Markup from either side stays text on both sides, and nothing runs.
            chat.locator("#chat-input").fill(PAYLOAD)
            chat.locator("#chat-send").click()
            expect(chat.locator(".chat-msg-body", has_text="__pwned")).to_have_text(PAYLOAD)
            expect(agent.locator("#timeline .message-body", has_text="__pwned")).to_have_text(
                PAYLOAD
            )
            agent.fill("#reply-body", PAYLOAD)
            agent.click("#reply-form button[type=submit]")
            expect(chat.locator(".chat-msg.from-agent .chat-msg-body")).to_have_count(2)
            expect(chat.locator(".chat-msg.from-agent .chat-msg-body").last).to_have_text(PAYLOAD)
            host.wait_for_timeout(300)
            frame = next(f for f in host.frames if "/chat/" in f.url)
            for where in (host, frame, agent):
                assert where.evaluate("window.__pwned") is None
            assert chat.locator("#chat-timeline img, #chat-timeline script").count() == 0
            shoot(host, "widget-embedded.png")

            # Minimise from inside the frame; a reply meanwhile shows as a badge.
            chat.locator("#chat-minimise").click()
            expect(host.locator("#kefu-panel")).to_be_hidden()
            agent.fill("#reply-body", "还在吗？")
            agent.click("#reply-form button[type=submit]")
            expect(host.locator("#kefu-launcher span")).to_have_text("1")
            host.click("#kefu-launcher")
            expect(host.locator("#kefu-launcher span")).to_be_hidden()
        finally:
            browser.close()

    assert watch.problems == []
    assert _count(shops, question) == 1
    assert _count(shops, PAYLOAD) == 2


def test_a_dropped_connection_loses_and_doubles_nothing(shops: Shops) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    # The socket is cut on purpose: Chromium logs the refused reconnects.
    watch = Watch(allowed=("WebSocket",))
    routes: list[Any] = []
    state = {"hold": False, "drop_acks": False, "dropped": 0}

    def relay(route: Any) -> None:
        if state["hold"]:
            route.close(code=1013, reason="e2e: try again later")
            return
        server = route.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if state["drop_acks"] and '"type": "ack"' in str(message).replace('":"', '": "'):
                state["dropped"] += 1  # stored, but the customer never hears so
                return
            route.send(message)

        server.on_message(from_server)
        routes.append(route)

    first, missed, offline = "断线前发出的消息", "断线期间的回复", "离线时写的消息"
    with sync_api.sync_playwright() as p:
        browser = _launch(p)
        try:
            agent = _agent_page(browser, shops, watch)
            customer_context = browser.new_context(
                viewport={"width": 400, "height": 760}, locale="zh-CN", is_mobile=True
            )
            customer_context.route_web_socket(re.compile(r"/ws/chat/"), relay)
            chat = watch.page(customer_context.new_page())
            chat.goto(f"{shops.base_url}/chat/{shops.staffed}")
            expect(chat.locator("#chat-presence")).to_have_text("客服在线")

            # Stored, but the ack is lost; then the connection drops and stays down a while.
            state["drop_acks"] = True
            chat.fill("#chat-input", first)
            chat.press("#chat-input", "Enter")
            chat.wait_for_timeout(500)
            assert state["dropped"] == 1
            expect(chat.locator(".chat-msg[data-state=sending]")).to_have_count(1)
            state["hold"] = True
            routes[-1].close(code=4000, reason="e2e: connection lost")
            expect(chat.locator("#chat-connection")).to_be_visible()

            # The agent answers meanwhile; the customer writes meanwhile.
            agent.locator(".conv-row", has_text=first).first.click()
            agent.fill("#reply-body", missed)
            agent.click("#reply-form button[type=submit]")
            expect(agent.locator("#timeline .message-body", has_text=missed)).to_have_count(1)
            chat.fill("#chat-input", offline)
            chat.press("#chat-input", "Enter")
            expect(chat.locator(".chat-msg[data-state=sending]")).to_have_count(2)

            # Back online: both sends are resent with their ids, the reply is resumed.
            state["hold"] = False
            state["drop_acks"] = False
            expect(chat.locator("#chat-connection")).to_be_hidden(timeout=20_000)
            expect(chat.locator(".chat-msg[data-state=sending]")).to_have_count(0)
            for body in (first, missed, offline):
                expect(chat.locator(".chat-msg-body", has_text=body)).to_have_count(1)
            ids = chat.eval_on_selector_all(
                ".chat-msg", "items => items.map(item => Number(item.dataset.id))"
            )
            assert ids == sorted(ids) and len(set(ids)) == len(ids) and all(ids), ids
            expect(agent.locator("#timeline .message-body", has_text=offline)).to_have_count(1)
            expect(agent.locator("#timeline .message-body", has_text=first)).to_have_count(1)

            # A reload shows the same timeline from the stored visitor token.
            chat.reload()
            expect(chat.locator(".chat-msg")).to_have_count(len(ids))
            shoot(chat, "widget-chat-mobile.png")
        finally:
            browser.close()

    assert watch.problems == []
    for body in (first, missed, offline):
        assert _count(shops, body) == 1, body


def test_nobody_online_so_the_customer_leaves_a_message(shops: Shops) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    watch = Watch(allowed=("422",))  # the server refusing a bad e-mail is part of the test
    body = "晚上十点了还有人吗？想改收货地址。"

    with sync_api.sync_playwright() as p:
        browser = _launch(p)
        try:
            context = browser.new_context(viewport={"width": 420, "height": 820}, locale="zh-CN")
            chat = watch.page(context.new_page())
            chat.goto(f"{shops.base_url}/chat/{shops.unstaffed}")
            expect(chat.locator("#chat-presence")).to_have_text("客服暂时不在线")
            form = chat.locator("#chat-leave")
            expect(form).to_be_visible()
            expect(chat.locator("#chat-composer")).to_be_hidden()

            form.locator("input[name=name]").fill("韩梅梅")
            form.locator("textarea[name=body]").fill(body)
            form.locator("button[type=submit]").click()
            expect(chat.locator("#chat-leave-error")).to_have_text(
                "请填写邮箱或手机号，以便我们联系您。"
            )
            form.locator("input[name=email]").fill("han@")
            form.locator("button[type=submit]").click()
            expect(chat.locator("#chat-leave-error")).to_have_text("邮箱格式不正确。")
            shoot(chat, "widget-leave.png")
            form.locator("input[name=email]").fill("han.meimei@example.com")
            form.locator("button[type=submit]").click()
            expect(chat.locator(".chat-system")).to_have_text("留言已收到，我们会尽快联系您。")
            expect(chat.locator(".chat-msg.from-customer .chat-msg-body")).to_have_text(body)
            expect(form).to_be_hidden()
        finally:
            browser.close()

    assert watch.problems == []
    assert _count(shops, body) == 1
    subject = asyncio.run(
        _query(
            shops.database_url,
            select(Conversation.subject)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.body == body),
        )
    )
    assert subject == SUBJECT
