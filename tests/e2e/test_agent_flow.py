"""An agent in Chromium: log in, filter the list, read safely, reply, and follow chats live."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.commerce.models import Order, OrderItem, Shipment, TrackingEvent
from kefu.conversations.models import Message
from kefu.knowledge.models import CannedReply
from kefu.migrations import upgrade
from kefu.routing.models import RoutingSettings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.web.paths import STATIC_DIR
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, kefu_server, needs_chromium
from tests.e2e.shots import shoot
from tests.factories import PASSWORD, Factory

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"
CANNED = (
    ("/退货", "退货流程", "{customer_name}您好，订单 {order_no} 可以七天无理由退货。"),
    ("/物流", "查询物流", "亲，订单 {order_no} 正在运输中，请耐心等待。"),
)

pytestmark = needs_chromium


@dataclass(frozen=True)
class Seeded:
    base_url: str
    database_url: str
    email: str
    conversation_id: int
    payload_message_id: int
    message_count: int
    shop_slug: str


async def _seed(url: str) -> dict[str, int | str]:
    """A shop as an agent finds it in the morning: a VIP asking twice, one payload, notes."""
    db = Database(url)
    try:
        make = Factory(db)
        shop = await make.shop("小米旗舰店")
        agent = await make.user(shop, name="李娜")
        colleague = await make.user(shop, name="周杰")
        vip = await make.customer(shop, name="张伟", vip_level=3)
        start = utcnow() - timedelta(minutes=42)
        await make.conversation(
            shop,
            customer=await make.customer(shop, name="王芳"),
            subject="蓝牙耳机左耳没有声音",
            messages=("耳机买了三天，左耳就没声音了，能换新吗？",),
            assignee=colleague,
            at=start - timedelta(hours=3),
        )
        conversation = await make.conversation(
            shop,
            customer=vip,
            subject="订单 20240518 还没发货",
            messages=(
                "你好，我的订单 20240518 下单三天了还没发货。\n能帮我查一下吗？",
                PAYLOAD,
            ),
            at=start,
        )
        async with db.session() as session:
            # Agents pick from the queue themselves here: the router must not hand the waiting
            # VIP to 李娜 the moment she logs in (tests/routing covers auto-assignment).
            session.add(RoutingSettings(shop_id=shop.id, auto_assign=False, updated_at=utcnow()))
            extra = [
                ("bot", None, False, "您好，我是智能助手。正在为您转接人工客服，请稍候。"),
                ("system", None, False, "会话已转接给人工客服"),
                ("agent", colleague.id, True, "这位是 VIP3 老顾客，仓库说今天下午补发。"),
            ]
            for i, (sender, user_id, internal, body) in enumerate(extra):
                session.add(
                    Message(
                        shop_id=shop.id,
                        conversation_id=conversation.id,
                        sender_type=sender,
                        sender_user_id=user_id,
                        body=body,
                        is_internal=internal,
                        created_at=start + timedelta(minutes=2 + i),
                    )
                )
            await session.commit()
            payload_id = await session.scalar(
                select(Message.id).where(Message.body == PAYLOAD, Message.shop_id == shop.id)
            )
            await _seed_workspace(session, shop_id=shop.id, customer_id=vip.id, at=start)
        assert payload_id is not None
        return {
            "email": agent.email,
            "conversation_id": conversation.id,
            "payload_message_id": payload_id,
            "message_count": 5,
            "shop_slug": shop.slug,
        }
    finally:
        await db.dispose()


async def _seed_workspace(session: Any, *, shop_id: int, customer_id: int, at: Any) -> None:
    """What the sidebar and the reply box offer: the VIP's order on its way, canned replies."""
    order = Order(
        shop_id=shop_id,
        order_no="20240518",
        customer_id=customer_id,
        status="shipped",
        total_cents=129900,
        placed_at=at - timedelta(days=3),
    )
    session.add(order)
    await session.flush()
    session.add(
        OrderItem(
            order_id=order.id,
            sku="EB-200",
            name="降噪蓝牙耳机",
            quantity=1,
            unit_price_cents=129900,
        )
    )
    shipment = Shipment(
        shop_id=shop_id,
        order_id=order.id,
        carrier="顺丰速运",
        tracking_no="SF1234567890",
        status="in_transit",
        shipped_at=at - timedelta(days=1),
    )
    session.add(shipment)
    await session.flush()
    for hours, (where, text) in enumerate((("深圳", "已揽收"), ("杭州", "到达杭州转运中心"))):
        session.add(
            TrackingEvent(
                shipment_id=shipment.id,
                occurred_at=at - timedelta(hours=20 - hours * 10),
                status="in_transit",
                location=where,
                description=text,
            )
        )
    for shortcut, title, body in CANNED:
        session.add(
            CannedReply(
                shop_id=shop_id,
                shortcut=shortcut,
                title=title,
                body=body,
                language="zh",
                created_at=at,
                updated_at=at,
            )
        )
    await session.commit()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The real server (uvicorn, a subprocess) on a free loopback port and a migrated SQLite."""
    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite+aiosqlite:///{folder / 'kefu.db'}"
    upgrade(url)
    data = asyncio.run(_seed(url))
    with kefu_server(url, folder) as base_url:
        yield Seeded(
            base_url=base_url,
            database_url=url,
            email=str(data["email"]),
            conversation_id=int(data["conversation_id"]),
            payload_message_id=int(data["payload_message_id"]),
            message_count=int(data["message_count"]),
            shop_slug=str(data["shop_slug"]),
        )


async def _count_bodies(url: str, conversation_id: int, body: str) -> int:
    db = Database(url)
    try:
        async with db.session() as session:
            count = await session.scalar(
                select(func.count()).where(
                    Message.conversation_id == conversation_id, Message.body == body
                )
            )
            return count or 0
    finally:
        await db.dispose()


# htmx reports a search replaced by the next keystroke (hx-sync="this:replace") as an error.
_EXPECTED_CONSOLE = ("htmx:sendAbort", "htmx:afterRequest")


def _note_console(kind: str, text: str, problems: list[str]) -> None:
    if kind in ("error", "warning") and not text.startswith(_EXPECTED_CONSOLE):
        problems.append(f"console {kind}: {text}")


def _dismiss(dialog: Any, dialogs: list[str]) -> None:
    dialogs.append(dialog.message)
    dialog.dismiss()


def test_agent_logs_in_reads_safely_and_replies_without_reload(seeded: Seeded) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not (STATIC_DIR / "vendor" / "htmx.min.js").is_file():
        pytest.fail("htmx is not vendored: run `bash scripts/vendor-assets.sh` (make assets)")
    expect = sync_api.expect
    dialogs: list[str] = []
    problems: list[str] = []
    reply = "您好，已为您加急处理。\n仓库今天下午补发，预计明天送达。"

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
            page.on("dialog", lambda d: _dismiss(d, dialogs))
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("console", lambda m: _note_console(m.type, m.text, problems))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            base = seeded.base_url

            # Log in: the list asks for it, and comes back afterwards.
            page.goto(f"{base}/conversations")
            expect(page).to_have_url(re.compile(r"/login\?next=%2Fconversations$"))
            page.fill("input[name=email]", seeded.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            expect(page).to_have_url(f"{base}/conversations")
            rows = page.locator(".conv-row")
            expect(rows).to_have_count(2)
            expect(rows.first).to_contain_text("张伟")
            expect(rows.first).to_contain_text("VIP3")

            # Filters swap the list in place and keep the address shareable.
            page.evaluate("window.kefuMarker = 'list'")
            page.fill("#q", "耳机")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("王芳")
            expect(page).to_have_url(re.compile(r"q=%E8%80%B3%E6%9C%BA"))
            page.check("input[name=assignee][value=none]")
            expect(page.locator(".empty")).to_be_visible()
            page.fill("#q", "")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("张伟")
            assert page.evaluate("window.kefuMarker") == "list", "the list reloaded the page"
            shoot(page, "kefu-e2e-list.png")

            # The conversation: the payload is text, nothing ran.
            rows.first.click()
            expect(page).to_have_url(f"{base}/conversations/{seeded.conversation_id}")
            messages = page.locator("#timeline .message")
            expect(messages).to_have_count(seeded.message_count)
            payload = page.locator(f"#message-{seeded.payload_message_id} .message-body")
            expect(payload).to_have_text(PAYLOAD)
            assert page.locator("#timeline img, #timeline script").count() == 0
            expect(page.locator(".message.is-internal")).to_contain_text("仓库说今天下午补发")
            expect(page.locator(".customer-card")).to_contain_text("张伟")

            # Reply: the message appears without a page load, once, and the box is ready again.
            page.evaluate("window.kefuMarker = 'conversation'")
            page.fill("#reply-body", reply)
            page.click("#reply-form button[type=submit]")
            expect(messages).to_have_count(seeded.message_count + 1)
            mine = page.locator("#timeline .message.from-agent").last
            expect(mine.locator(".message-body")).to_have_text(reply)
            expect(mine).to_contain_text("李娜")
            expect(page.locator("#reply-body")).to_have_value("")
            expect(page.locator("#reply-body")).to_be_focused()

            # Ctrl+Enter sends the next one with a fresh idempotency key.
            page.fill("#reply-body", "请问还有其他可以帮您的吗？")
            page.press("#reply-body", "Control+Enter")
            expect(messages).to_have_count(seeded.message_count + 2)

            # An internal note, then resolve the conversation from the side panel.
            page.check("#reply-form input[name=internal]")
            page.fill("#reply-body", "已联系仓库，单号稍后补录。")
            page.click("#reply-form button[type=submit]")
            expect(page.locator(".message.is-internal")).to_have_count(2)
            page.click("#conversation-panel button.action-resolved")
            expect(page.locator("#conversation-panel .badge.status-resolved")).to_be_visible()
            expect(page.locator("#conversation-panel button.action-closed")).to_be_visible()
            page.click("#conversation-panel button:has-text('分配给我')")
            expect(page.locator("#conversation-panel")).to_contain_text("取消分配")
            assert page.evaluate("window.kefuMarker") == "conversation", "the page reloaded"
            shoot(page, "kefu-e2e-conversation.png")

            # After a real reload everything is there exactly once.
            page.reload()
            expect(messages).to_have_count(seeded.message_count + 3)

            # English, from the switch on the page.
            page.click("#lang-switch")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("#conversation-panel")).to_contain_text("Resolved")
            page.set_viewport_size({"width": 420, "height": 900})
            shoot(page, "kefu-e2e-conversation-en-narrow.png")
        finally:
            browser.close()

    assert dialogs == [], f"a dialog fired: {dialogs}"
    assert problems == [], problems
    assert asyncio.run(_count_bodies(seeded.database_url, seeded.conversation_id, reply)) == 1


# Notifications stand-in: records what the page would show; permission is asked on a click.
_FAKE_NOTIFICATIONS = """
window.kefuNotes = [];
class FakeNotification {
  constructor(title, options) { window.kefuNotes.push({ title: title, body: options.body }); }
  close() {}
}
FakeNotification.permission = "default";
FakeNotification.requestPermission = () => {
  FakeNotification.permission = "granted";
  return Promise.resolve("granted");
};
window.Notification = FakeNotification;
"""

# A headless tab is always visible; pretend the agent switched to another tab and back.
_SET_HIDDEN = """(hidden) => {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(document, "visibilityState", {
    configurable: true, get: () => (hidden ? "hidden" : "visible"),
  });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def _wait_for(page: Any, done: Callable[[], bool], timeout: float = 10) -> None:
    """Poll a condition on the test's side, letting Playwright run its handlers meanwhile."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting")
        page.wait_for_timeout(50)


class Visitor:
    """A shopper on the web chat, speaking its WebSocket protocol from Python."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.sent = 0

    def until(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            frame: dict[str, Any] = json.loads(self.socket.recv(deadline - time.monotonic()))
            if frame["type"] == kind:
                return frame

    def say(self, body: str) -> dict[str, Any]:
        """Send and wait for the ack: the message is committed when this returns."""
        self.sent += 1
        self.socket.send(
            json.dumps({"type": "send", "client_id": f"e2e-{self.sent}", "body": body})
        )
        message: dict[str, Any] = self.until("ack")["message"]
        return message

    def typing(self) -> None:
        self.socket.send(json.dumps({"type": "typing"}))


_NOTE_WELCOME = """
document.addEventListener("kefu:frame", (event) => {
  if (event.detail.frame.type === "welcome") { window.kefuWelcomed = true; }
});
"""


def test_customer_messages_arrive_live_once_and_as_text(seeded: Seeded) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    ws_client = pytest.importorskip("websockets.sync.client")
    expect = sync_api.expect
    base = seeded.base_url
    dialogs: list[str] = []
    problems: list[str] = []
    routes: list[Any] = []
    reply = "已为您登记换色，稍后联系您。"

    def relay(route: Any) -> None:
        route.connect_to_server()
        routes.append(route)

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
            context.add_init_script(_FAKE_NOTIFICATIONS)
            context.add_init_script(_NOTE_WELCOME)
            page = context.new_page()
            page.on("dialog", lambda d: _dismiss(d, dialogs))
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("console", lambda m: _note_console(m.type, m.text, problems))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            # The agent's socket goes through Playwright, so the test can cut it.
            page.route_web_socket(re.compile(r"/ws/agent$"), relay)

            page.goto(f"{base}/login")
            page.fill("input[name=email]", seeded.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            expect(page).to_have_url(f"{base}/conversations")
            page.click("#notify-enable")
            expect(page.locator("#notify-enable")).to_be_hidden()
            page.evaluate("window.kefuMarker = 'inbox'")
            rows = page.locator(".conv-row")
            before = rows.count()
            _wait_for(page, lambda: len(routes) == 1)

            url = base.replace("http://", "ws://") + f"/ws/chat/{seeded.shop_slug}"
            with ws_client.connect(url, open_timeout=5) as socket:
                visitor = Visitor(socket)
                visitor.until("welcome")

                # The list: a new chat shows up highlighted, without a reload.
                cid = visitor.say("你好，耳机能换成白色的吗？")["conversation_id"]
                fresh = page.locator(f".conv-row.is-fresh[data-conversation-id='{cid}']")
                expect(fresh).to_contain_text("耳机能换成白色的吗")
                expect(rows).to_have_count(before + 1)
                shoot(page, "kefu-live-inbox.png")

                # In another tab: the title counts, and a notification shows the text.
                page.evaluate(_SET_HIDDEN, True)
                visitor.say("在吗？")
                expect(page).to_have_title(re.compile(r"^\(1\) 会话列表"))
                page.wait_for_function("window.kefuNotes.length === 1")
                note = page.evaluate("window.kefuNotes[0]")
                assert note == {"title": f"会话 #{cid} 有新消息", "body": "在吗？"}
                page.evaluate(_SET_HIDDEN, False)
                expect(page).to_have_title(re.compile(r"^会话列表"))
                assert page.evaluate("window.kefuMarker") == "inbox", "the list reloaded"

                # The conversation: typing, then a payload, shown once and as text.
                fresh.click()
                expect(page).to_have_url(f"{base}/conversations/{cid}")
                page.evaluate("window.kefuMarker = 'live'")
                messages = page.locator("#timeline .message")
                expect(messages).to_have_count(2)
                _wait_for(page, lambda: len(routes) == 2)
                # Typing is relayed, never stored: wait until the new page's socket is
                # subscribed (its welcome arrived) before the shopper types.
                _wait_for(page, lambda: page.evaluate("window.kefuWelcomed === true"))
                visitor.typing()
                typing = page.locator("#typing-indicator")
                expect(typing).to_be_visible()
                expect(typing).to_have_text("对方正在输入…")
                payload_id = visitor.say(PAYLOAD)["id"]
                expect(page.locator(f"#message-{payload_id} .message-body")).to_have_text(PAYLOAD)
                expect(messages).to_have_count(3)
                expect(typing).to_be_hidden()
                assert page.locator("#timeline img, #timeline script").count() == 0

                # The agent's typing reaches the shopper; the reply shows once though it
                # comes back both as the form's answer and as a live event.
                page.fill("#reply-body", reply)
                # The page sends at most one typing signal per few seconds; keep typing until
                # one arrives (a signal sent while the socket reconnects is not resent).
                for _attempt in range(3):
                    try:
                        assert visitor.until("typing", timeout=4)["by"] == "agent"
                        break
                    except TimeoutError:
                        page.type("#reply-body", "。")
                else:
                    pytest.fail("the agent's typing never reached the shopper")
                reply = page.input_value("#reply-body")
                page.click("#reply-form button[type=submit]")
                assert visitor.until("message")["message"]["body"] == reply
                expect(messages).to_have_count(4)
                page.wait_for_timeout(600)
                expect(messages).to_have_count(4)
                expect(page.locator("#timeline .message.from-agent .message-body")).to_have_text(
                    reply
                )

                # The socket drops; what is said meanwhile is fetched after reconnecting.
                catch_ups: list[str] = []
                page.on(
                    "request",
                    lambda r: catch_ups.append(r.url) if "/messages?after_id=" in r.url else None,
                )
                last_shown = page.locator("#timeline .message").last.get_attribute("id")
                routes[-1].close(code=4000, reason="e2e: connection lost")
                missed = visitor.say("断线期间发的消息")["id"]
                expect(page.locator(f"#message-{missed}")).to_have_count(1)
                _wait_for(page, lambda: len(routes) == 3)
                assert last_shown is not None
                after = last_shown.removeprefix("message-")
                assert any(u.endswith(f"after_id={after}") for u in catch_ups), catch_ups
                expect(messages).to_have_count(5)
                assert page.evaluate("window.kefuMarker") == "live", "the page reloaded"
                shoot(page, "kefu-live.png")
        finally:
            browser.close()

    assert dialogs == [], f"a dialog fired: {dialogs}"
    assert problems == [], problems


def test_agent_picks_a_canned_reply_with_a_shortcut_and_sends_it(seeded: Seeded) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    problems: list[str] = []
    filled = "张伟您好，订单 20240518 可以七天无理由退货。"

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("console", lambda m: _note_console(m.type, m.text, problems))
            base = seeded.base_url
            page.goto(f"{base}/login")
            page.fill("input[name=email]", seeded.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            expect(page).to_have_url(f"{base}/conversations")
            page.goto(f"{base}/conversations/{seeded.conversation_id}")

            # The sidebar: the order, its shipment and the latest tracking event.
            orders = page.locator(".orders-card")
            expect(orders).to_contain_text("20240518")
            expect(orders).to_contain_text("SF1234567890")
            expect(orders).to_contain_text("到达杭州转运中心")
            # This conversation is remembered in the open-conversation tabs.
            expect(page.locator("#open-tabs .open-tab.is-current")).to_contain_text("张伟")

            # "/" lists every reply; more letters narrow it; Enter inserts the filled-in body.
            box = page.locator("#reply-body")
            box.click()
            page.keyboard.type("/")
            options = page.locator("#canned-popup .canned-option")
            expect(options).to_have_count(2)
            page.keyboard.type("退")
            expect(options).to_have_count(1)
            expect(options.first).to_contain_text("退货流程")
            expect(options.first).to_have_class(re.compile("is-active"))
            shoot(page, "workspace-canned.png")
            page.keyboard.press("Enter")
            expect(page.locator("#canned-popup")).to_be_hidden()
            expect(box).to_have_value(filled)

            # Escape closes the list and leaves the text alone.
            page.keyboard.type(" /物")
            expect(options).to_have_count(1)
            page.keyboard.press("Escape")
            expect(page.locator("#canned-popup")).to_be_hidden()
            box.fill(filled)

            page.click("#reply-form button[type=submit]")
            mine = page.locator("#timeline .message.from-agent .message-body").last
            expect(mine).to_have_text(filled)
            expect(box).to_have_value("")

            # The sound switch remembers being muted.
            toggle = page.locator("#sound-toggle")
            expect(toggle).to_have_text("提示音：开")
            toggle.click()
            expect(toggle).to_have_text("提示音：关")
            assert page.evaluate("localStorage.getItem('kefu-muted')") == "1"
            page.locator("#transfer-card summary").click()
            shoot(page, "workspace-sidebar.png")
        finally:
            browser.close()

    assert problems == [], problems
    assert asyncio.run(_count_bodies(seeded.database_url, seeded.conversation_id, filled)) == 1
