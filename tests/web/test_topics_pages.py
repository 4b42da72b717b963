"""The customer-voice page: supervisors see aspects from their own shop's customers, escaped;
agents are refused."""

from __future__ import annotations

from datetime import timedelta

import httpx

from kefu.shared.clock import utcnow
from tests.factories import Factory, login


async def test_supervisors_see_what_customers_complain_about_as_text(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    yesterday = utcnow() - timedelta(days=1)
    for _ in range(3):
        await factory.conversation(
            shop, at=yesterday, messages=("<b>物流太慢了</b>，等了一个星期",)
        )
    await factory.conversation(other, at=yesterday, messages=("包装破了，质量很差",))
    await login(client, await factory.user(shop, role="supervisor"))
    page = await client.get("/analytics/topics")
    assert page.status_code == 200
    assert (
        "物流" in page.text
        and "包装" not in page.text.split("topics-fix")[1].split("</section>")[0]
    )
    assert "<b>物流" not in page.text
    assert "&lt;b&gt;物流太慢了" in page.text  # the customer's words, shown as text
    bad = await client.get("/analytics/topics", params={"period": "someday"})
    assert bad.status_code == 422
    await login(client, await factory.user(shop))
    assert (await client.get("/analytics/topics")).status_code == 403
