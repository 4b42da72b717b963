"""The report API: a period's report downloaded as PDF, HTML or XLSX, clear errors for bad
periods, and supervisors managing the schedules that mail reports."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook

from kefu.shared.db import Database
from tests.analytics.test_report import seed
from tests.factories import Factory, login

REPORT = "/api/v1/analytics/report"
SCHEDULES = "/api/v1/analytics/report-schedules"


async def test_a_supervisor_downloads_the_report_in_each_format(
    client: httpx.AsyncClient, db: Database, factory: Factory
) -> None:
    seeded = await seed(db, factory)
    await login(client, seeded.supervisor)
    html = await client.get(REPORT, params={"period": "2026-10", "format": "html"})
    assert html.status_code == 200, html.text
    assert html.headers["content-type"].startswith("text/html")
    disposition = html.headers["content-disposition"]
    assert disposition == f'attachment; filename="kefu-report-{seeded.shop.slug}-2026-10.html"'
    assert "报表测试店" in html.text and "2026-09" in html.text  # compared with the month before

    xlsx = await client.get(
        REPORT, params={"period": "2026-10", "compare": "2026-Q3", "format": "xlsx"}
    )
    assert xlsx.status_code == 200
    sheets = load_workbook(io.BytesIO(xlsx.content)).sheetnames
    assert sheets[:2] == ["核心指标", "每日趋势"]

    pdf = await client.get(REPORT, params={"period": "2026-10", "locale": "en"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


async def test_bad_periods_and_formats_are_clear_errors(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    for params in ({"period": "2026-13"}, {"period": "2026-10", "compare": "0000-01"}):
        bad = await client.get(REPORT, params=params)
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_period"
    wrong = await client.get(REPORT, params={"period": "2026-10", "format": "docx"})
    assert wrong.status_code == 422
    missing = await client.get(REPORT)
    assert missing.status_code == 422


async def test_supervisors_manage_report_schedules(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    made = await client.post(
        SCHEDULES, json={"frequency": "quarterly", "recipients": ["boss@example.com"]}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["format"] == "pdf" and body["enabled"] is True and body["last_sent_at"] is None
    assert body["next_period"].count("-Q") == 1  # the quarter running now

    changed = await client.patch(
        f"{SCHEDULES}/{body['id']}", json={"format": "xlsx", "recipients": []}
    )
    assert changed.status_code == 200
    assert changed.json()["format"] == "xlsx" and changed.json()["recipients"] == []
    listed = (await client.get(SCHEDULES)).json()
    assert [s["id"] for s in listed] == [body["id"]]

    bad = await client.post(SCHEDULES, json={"recipients": ["not an address"]})
    assert bad.status_code == 422
    odd = await client.post(SCHEDULES, json={"frequency": "hourly"})
    assert odd.status_code == 422

    gone = await client.delete(f"{SCHEDULES}/{body['id']}")
    assert gone.status_code == 204
    assert (await client.get(SCHEDULES)).json() == []
    again = await client.delete(f"{SCHEDULES}/{body['id']}")
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "report_schedule_not_found"


async def test_agents_get_no_reports_and_no_schedules(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="agent"))
    assert (await client.get(REPORT, params={"period": "2026-10"})).status_code == 403
    assert (await client.get(SCHEDULES)).status_code == 403
    assert (await client.post(SCHEDULES, json={})).status_code == 403
