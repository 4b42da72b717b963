"""The analytics dashboard and the wallboard in Chromium, over the demo shops' 90 days: the
charts draw under our CSP, the period and the trend's metric change, a table re-sorts, the
CSV download answers, and the wallboard refreshes itself."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest

from kefu.demo import DEMO_PASSWORD, seed_demo
from kefu.migrations import upgrade
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, kefu_server, needs_chromium
from tests.e2e.shots import shoot
from tests.e2e.test_agent_flow import _note_console

pytestmark = needs_chromium

SUPERVISOR = "supervisor@geek-digital.demo"
CHARTS = ("#chart-trend", "#chart-dist", "#chart-channels", "#chart-heatmap")


async def _seed(url: str) -> None:
    db = Database(url)
    try:
        await seed_demo(db.engine, now=utcnow(), scale=0.05)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e-analytics")
    url = f"sqlite+aiosqlite:///{folder / 'kefu.db'}"
    upgrade(url)
    asyncio.run(_seed(url))
    with kefu_server(url, folder) as base:
        yield base


def _charts_drawn(page: Any, expect: Any) -> None:
    """ECharts has drawn once each container holds its canvas (checked from Python: a
    page-level wait_for_function would need eval, which the CSP refuses)."""
    for chart in CHARTS:
        expect(page.locator(f"{chart} canvas").first).to_be_visible(timeout=15_000)
        expect(page.locator(f"{chart} .chart-loading")).to_have_count(0)


def _log_in(page: Any, base: str, expect: Any) -> None:
    page.goto(f"{base}/login?next=/analytics")
    page.fill("input[name=email]", SUPERVISOR)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    expect(page).to_have_url(f"{base}/analytics")


def _dashboard(page: Any, base: str, expect: Any) -> None:
    _charts_drawn(page, expect)  # this month, however few days of it have passed
    page.click(".period-presets >> text=近 30 天")
    expect(page).to_have_url(re.compile(r"/analytics\?period=[-.0-9]+&compare=previous$"))
    _charts_drawn(page, expect)
    expect(page.locator(".kpi-card")).to_have_count(12)
    expect(page.locator("#agents-table tbody tr").first).to_be_visible()

    # The trend's metric switch redraws it and says so to screen readers.
    page.select_option("#trend-metric", "first_response_time")
    expect(page.locator("#chart-trend")).to_have_attribute("aria-label", re.compile("首次响应时长"))
    page.check("input[name=dist-metric][value=handle_time]", force=True)

    # A heading re-sorts the leaderboard.
    heading = page.locator("#agents-table th", has=page.locator("[data-sort-column='4']"))
    heading.locator("button").click()
    expect(heading).to_have_attribute("aria-sort", "descending")
    heading.locator("button").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")

    # The CSV link answers with the agents' table.
    link = page.locator("section[aria-labelledby=agents-heading] .downloads a").first
    href = link.get_attribute("href")
    response = page.request.get(f"{base}{href}")
    assert response.status == 200 and "text/csv" in response.headers["content-type"]


def _change_period(page: Any, base: str, expect: Any) -> None:
    page.click(".period-presets >> text=上月")
    expect(page).to_have_url(re.compile(r"/analytics\?period=\d{4}-\d{2}&compare=previous$"))
    expect(page.locator(".period-presets [aria-current=true]")).to_have_text("上月")
    _charts_drawn(page, expect)

    page.fill("input[name=start]", "2026-01-05")
    page.fill("input[name=end]", "2026-01-11")
    page.select_option("select[name=compare]", "none")  # submits the form on change
    expect(page).to_have_url(re.compile(r"start=2026-01-05&end=2026-01-11&compare=none"))
    expect(page.locator(".period-summary")).to_contain_text("2026-01-05 至 2026-01-11")
    _charts_drawn(page, expect)


def test_supervisor_reads_the_dashboard_and_opens_the_wallboard(base_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("console", lambda m: _note_console(m.type, m.text, problems))
            _log_in(page, base_url, expect)
            _dashboard(page, base_url, expect)
            shoot(page, "analytics-zh.png")
            _change_period(page, base_url, expect)

            page.goto(f"{base_url}/analytics?lang=en")
            _charts_drawn(page, expect)
            expect(page.locator("h1")).to_have_text("Analytics")
            shoot(page, "analytics-en.png")

            page.click("main a[href='/wallboard']")
            expect(page).to_have_url(f"{base_url}/wallboard")
            expect(page.locator(".wallboard-today .tile")).to_have_count(8)
            with page.expect_response(lambda r: "/wallboard/live" in r.url, timeout=15_000) as got:
                pass
            assert got.value.status == 200
            expect(page.locator("#wallboard-live")).to_be_visible()
            shoot(page, "wallboard.png")
        finally:
            browser.close()
    assert problems == []
