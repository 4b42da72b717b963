"""The live board in Chromium: a supervisor watches it and a new waiting customer appears."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import update

from kefu.accounts.models import Shop
from kefu.conversations.models import Conversation
from kefu.migrations import upgrade
from kefu.routing.models import RoutingQueue
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, kefu_server, needs_chromium
from tests.e2e.shots import shoot
from tests.e2e.test_agent_flow import _note_console
from tests.factories import PASSWORD, Factory
from tests.routing.support import make_agent, make_queue, queued

pytestmark = needs_chromium


@dataclass(frozen=True)
class Board:
    base_url: str
    database_url: str
    supervisor_email: str
    shop_id: int
    queue_id: int


async def _seed(url: str) -> Board:
    """A queue whose only agent is offline, so whoever queues keeps waiting."""
    db = Database(url)
    try:
        make = Factory(db)
        shop = await make.shop("极客数码")
        queue = await make_queue(db, shop, "售前咨询", "presales", default=True)
        await make_agent(make, shop, skills={queue.id: 3}, online=False)
        supervisor = await make.user(shop, role="supervisor", name="王主管")
        await queued(make, shop, queue, at=utcnow() - timedelta(minutes=3))
        return Board("", url, supervisor.email, shop.id, queue.id)
    finally:
        await db.dispose()


async def _queue_one(url: str, shop_id: int, queue_id: int) -> int:
    """A VIP customer starts waiting now; returns the conversation's id."""
    db = Database(url)
    try:
        make = Factory(db)
        async with db.session() as session:
            shop = await session.get(Shop, shop_id)
            queue = await session.get(RoutingQueue, queue_id)
        assert shop is not None and queue is not None
        customer = await make.customer(shop, name="新来的顾客", vip_level=2)
        conversation = await make.conversation(shop, customer=customer)
        async with db.session() as session:
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation.id)
                .values(queue_id=queue.id, queued_at=utcnow())
            )
            await session.commit()
        return conversation.id
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    folder = tmp_path_factory.mktemp("e2e-board")
    url = f"sqlite+aiosqlite:///{folder / 'kefu.db'}"
    upgrade(url)
    seeded = asyncio.run(_seed(url))
    with kefu_server(url, folder) as base_url:
        yield Board(base_url, url, seeded.supervisor_email, seeded.shop_id, seeded.queue_id)


def test_supervisor_sees_a_new_waiting_conversation_appear(board: Board) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    problems: list[str] = []
    base = board.base_url
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("console", lambda m: _note_console(m.type, m.text, problems))
            page.goto(f"{base}/login?next=/board")
            page.fill("input[name=email]", board.supervisor_email)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            expect(page).to_have_url(f"{base}/board")
            rows = page.locator(".board-waiting tbody tr")
            expect(rows).to_have_count(1)

            # Playwright's sync API runs its own event loop in this thread.
            with ThreadPoolExecutor(max_workers=1) as pool:
                coroutine = _queue_one(board.database_url, board.shop_id, board.queue_id)
                new_id = pool.submit(asyncio.run, coroutine).result()
            row = page.locator(f"#waiting-{new_id}")
            expect(row).to_contain_text("新来的顾客", timeout=12_000)
            expect(row).to_contain_text("VIP2")
            expect(rows).to_have_count(2)
            expect(page.locator("#presence-switch")).to_be_visible()
            shoot(page, "board.png")
        finally:
            browser.close()
    assert problems == []
