"""Scheduled reports in the UI: supervisors add, pause and delete them (audited, through the
service); a bad address comes back with what was typed; agents are refused."""

from __future__ import annotations

import httpx

from tests.factories import Factory, login


def _token(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


async def test_supervisors_add_pause_and_delete_scheduled_reports(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    page = await client.get("/analytics/reports")
    assert page.status_code == 200 and "还没有定期报表" in page.text
    token = _token(page.text)

    bad = await client.post(
        "/analytics/reports",
        data={"csrf_token": token, "frequency": "monthly", "format": "pdf",
              "recipients": "boss@example.com, not-an-address<b>"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "not-an-address&lt;b&gt;" in bad.text and "<b>" not in bad.text.split("<main")[1]

    added = await client.post(
        "/analytics/reports",
        data={"csrf_token": token, "frequency": "quarterly", "format": "xlsx",
              "recipients": "boss@example.com，ops@example.com"},
    )  # fmt: skip
    assert added.status_code == 303
    (schedule,) = (await client.get("/api/v1/analytics/report-schedules")).json()
    assert schedule["frequency"] == "quarterly" and schedule["format"] == "xlsx"
    assert schedule["recipients"] == ["boss@example.com", "ops@example.com"]

    path = f"/analytics/reports/{schedule['id']}"
    assert (await client.post(path + "/toggle", data={"csrf_token": token})).status_code == 303
    listed = (await client.get("/api/v1/analytics/report-schedules")).json()
    assert listed[0]["enabled"] is False
    assert "已暂停" in (await client.get("/analytics/reports")).text
    assert (await client.post(path + "/delete", data={"csrf_token": token})).status_code == 303
    assert (await client.get("/api/v1/analytics/report-schedules")).json() == []

    await login(client, await factory.user(shop))
    assert (await client.get("/analytics/reports")).status_code == 403
