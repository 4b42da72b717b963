"""Every API route is scoped by shop and by role.

The table below names, for every route, a valid request and the role that must be refused.
A route missing from the table fails ``test_every_api_route_is_in_the_table``, so a new endpoint
cannot ship without its isolation and permission checks being exercised here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import ApiToken, Shop
from kefu.analytics.models import ReportSchedule
from kefu.channels.webhook.models import WebhookChannel, WebhookDelivery
from kefu.commerce.models import Order, Product, ReturnRequest, Shipment
from kefu.conversations.models import Message, Subtask
from kefu.knowledge.models import CannedReply, KbArticle, KbCategory, KbVersion
from kefu.routing.models import RoutingQueue, RoutingRule
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.sla.models import SlaCalendar, SlaPolicy
from kefu.workforce.models import WfmPlan
from tests.factories import Factory, login


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    body: Any = None
    # The least-privileged role that must get 403 with its own shop's ids; None: all roles may.
    refused_role: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    content_type: str | None = None
    public: bool = False
    # Its path parameters name no rows (e.g. an import kind), so there is nothing to hide.
    owns_no_ids: bool = False


# A multipart upload of one small text file, for the upload routes.
_BOUNDARY = "kefu-tenancy-boundary"
_MULTIPART_TEXT = (
    f"--{_BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="note.txt"\r\n'
    "Content-Type: text/plain\r\n\r\n"
    "你好\r\n"
    f"--{_BOUNDARY}--\r\n"
).encode()

CASES = [
    Case(
        "POST", "/api/v1/auth/login", {"email": "nobody@example.com", "password": "x"}, public=True
    ),
    Case("POST", "/api/v1/auth/logout"),
    Case("GET", "/api/v1/me"),
    Case("GET", "/api/v1/teams"),
    Case("GET", "/api/v1/users", refused_role="agent"),
    Case(
        "POST",
        "/api/v1/users",
        {"email": "x@example.com", "name": "x", "password": "longenough1"},
        refused_role="supervisor",
    ),
    Case("PATCH", "/api/v1/users/{user_id}", {"name": "改名"}, refused_role="supervisor"),
    Case("GET", "/api/v1/tokens", refused_role="supervisor"),
    Case("POST", "/api/v1/tokens", {"name": "erp"}, refused_role="supervisor"),
    Case("DELETE", "/api/v1/tokens/{token_id}", refused_role="supervisor"),
    Case("GET", "/api/v1/audit", refused_role="supervisor"),
    Case("GET", "/api/v1/conversations", refused_role=None),
    Case(
        "POST",
        "/api/v1/conversations",
        {"customer_id": "{customer_id}", "body": "你好"},
        refused_role="department",
    ),
    Case("GET", "/api/v1/conversations/tags"),
    Case("GET", "/api/v1/conversations/{conversation_id}"),
    Case("GET", "/api/v1/conversations/{conversation_id}/messages"),
    Case(
        "POST",
        "/api/v1/conversations/{conversation_id}/messages",
        {"body": "您好"},
        refused_role="department",
    ),
    Case(
        "POST",
        "/api/v1/conversations/{conversation_id}/status",
        {"status": "pending"},
        refused_role="department",
    ),
    Case(
        "POST",
        "/api/v1/conversations/{conversation_id}/priority",
        {"priority": "high"},
        refused_role="department",
    ),
    Case(
        "POST",
        "/api/v1/conversations/{conversation_id}/assign",
        {"assignee_id": "{user_id}"},
        refused_role="agent",
    ),
    Case(
        "POST",
        "/api/v1/conversations/{conversation_id}/tags",
        {"add": ["物流"]},
        refused_role="department",
    ),
    Case("GET", "/api/v1/customers"),
    Case("POST", "/api/v1/customers", {"name": "新客户"}, refused_role="department"),
    Case("GET", "/api/v1/customers/{customer_id}"),
    Case("PATCH", "/api/v1/customers/{customer_id}", {"note": "老客户"}, refused_role="department"),
    Case(
        "POST",
        "/api/v1/customers/{customer_id}/identities",
        {"kind": "im", "value": "wxid_1"},
        refused_role="department",
    ),
    Case("GET", "/api/v1/customers/{customer_id}/orders"),
    Case("GET", "/api/v1/products"),
    Case("GET", "/api/v1/orders"),
    Case("GET", "/api/v1/orders/{order_id}"),
    Case("GET", "/api/v1/orders/by-number/{order_no}"),
    Case("GET", "/api/v1/returns"),
    Case("GET", "/api/v1/shipments/{shipment_id}"),
    Case(
        "POST",
        "/api/v1/import/{kind}",
        content=b"sku,name,price\nA-1,x,1.00\n",
        content_type="text/csv",
        refused_role="supervisor",
        owns_no_ids=True,
    ),
    # --- IM / social webhook channel ---
    Case("GET", "/api/v1/webhook-channels", refused_role="supervisor"),
    Case(
        "POST",
        "/api/v1/webhook-channels",
        {"name": "微信", "platform": "wechat", "callback_url": "https://shop.example/im"},
        refused_role="supervisor",
    ),
    Case("GET", "/api/v1/webhook-channels/{channel_id}", refused_role="supervisor"),
    Case(
        "PATCH",
        "/api/v1/webhook-channels/{channel_id}",
        {"enabled": False},
        refused_role="supervisor",
    ),
    Case(
        "POST",
        "/api/v1/webhook-channels/{channel_id}/rotate-secret",
        refused_role="supervisor",
    ),
    Case(
        "GET",
        "/api/v1/webhook-channels/{channel_id}/deliveries",
        params={"status": "dead"},
        refused_role="supervisor",
    ),
    Case("POST", "/api/v1/webhook-deliveries/{delivery_id}/retry", refused_role="supervisor"),
    # Public: the channel's secret, not a session, decides who may post (tests/channels/webhook).
    Case(
        "POST",
        "/api/v1/webhooks/im/{channel_id}",
        {"event_id": "e-1", "sender": {"id": "wxid_1"}, "text": "你好"},
        public=True,
        owns_no_ids=True,
    ),
    # --- web chat: widget, attachments, identity ---
    Case(
        "POST",
        "/api/v1/webchat/{shop_slug}/leave-message",
        {"name": "访客", "email": "v@example.com", "body": "在吗"},
        public=True,
        owns_no_ids=True,  # a shop's slug is public: its chat page and form are for anyone
    ),
    Case("GET", "/api/v1/webchat/settings", refused_role="supervisor"),
    Case("POST", "/api/v1/webchat/settings", refused_role="supervisor"),
    # attachments
    Case(
        "POST",
        "/api/v1/attachments",
        content=_MULTIPART_TEXT,
        content_type=f"multipart/form-data; boundary={_BOUNDARY}",
    ),
    Case(
        "POST",
        "/api/v1/webchat/{shop_slug}/attachments",
        content=_MULTIPART_TEXT,
        content_type=f"multipart/form-data; boundary={_BOUNDARY}",
        public=True,
        owns_no_ids=True,
    ),
    # --- agent workspace: canned replies, transfer, sidebar ---
    Case("GET", "/api/v1/canned-replies", params={"q": "退"}),
    Case(
        "POST",
        "/api/v1/canned-replies",
        {"shortcut": "/退货流程", "title": "退货流程", "body": "您好，请在订单页申请退货。"},
        refused_role="agent",
    ),
    Case(
        "PATCH",
        "/api/v1/canned-replies/{canned_reply_id}",
        {"title": "改个标题"},
        refused_role="agent",
    ),
    Case("DELETE", "/api/v1/canned-replies/{canned_reply_id}", refused_role="agent"),
    Case(
        "POST",
        "/api/v1/conversations/{conversation_id}/transfer",
        {"assignee_id": "{user_id}", "note": "顾客要求换人"},
        refused_role="agent",
    ),
    # --- knowledge base ---
    Case("GET", "/api/v1/kb/categories"),
    Case("POST", "/api/v1/kb/categories", {"name": "售后政策"}, refused_role="agent"),
    Case("PATCH", "/api/v1/kb/categories/{category_id}", {"name": "改名"}, refused_role="agent"),
    Case("GET", "/api/v1/kb/articles", params={"q": "退货", "status": "published"}),
    Case(
        "POST",
        "/api/v1/kb/articles",
        {"title": "可以开发票吗？", "body": "可以，下单时填写抬头。", "questions": ["怎么开发票"]},
        refused_role="agent",
    ),
    Case("GET", "/api/v1/kb/articles/{article_id}"),
    Case(
        "PATCH",
        "/api/v1/kb/articles/{article_id}",
        {"body": "签收后七天内可无理由退货。"},
        refused_role="agent",
    ),
    Case("POST", "/api/v1/kb/articles/{article_id}/publish", refused_role="agent"),
    Case("POST", "/api/v1/kb/articles/{article_id}/archive", refused_role="agent"),
    Case("GET", "/api/v1/kb/articles/{article_id}/versions", refused_role="agent"),
    Case(
        "POST",
        "/api/v1/kb/articles/{article_id}/versions/{version_id}/restore",
        refused_role="agent",
    ),
    Case("GET", "/api/v1/kb/search", params={"q": "能退货吗"}),
    # --- bot ---
    Case("GET", "/api/v1/bot/settings", refused_role="supervisor"),
    Case("PATCH", "/api/v1/bot/settings", {"enabled": True}, refused_role="supervisor"),
    Case("GET", "/api/v1/bot/analytics", refused_role="agent"),
    Case("GET", "/api/v1/bot/unanswered", refused_role="agent"),
    Case("GET", "/api/v1/conversations/{conversation_id}/bot"),
    # --- sla: calendars and policies (admins), clocks, the at-risk board, attainment ---
    Case("GET", "/api/v1/sla/calendars", refused_role="supervisor"),
    Case(
        "POST",
        "/api/v1/sla/calendars",
        {"name": "工作日", "weekly": [[{"start": "09:00", "end": "18:00"}]] * 5 + [[], []]},
        refused_role="supervisor",
    ),
    Case("GET", "/api/v1/sla/calendars/{calendar_id}", refused_role="supervisor"),
    Case(
        "PATCH",
        "/api/v1/sla/calendars/{calendar_id}",
        {"holidays": ["2027-02-06"]},
        refused_role="supervisor",
    ),
    Case("DELETE", "/api/v1/sla/calendars/{calendar_id}", refused_role="supervisor"),
    Case("GET", "/api/v1/sla/policies", refused_role="supervisor"),
    Case(
        "POST",
        "/api/v1/sla/policies",
        {"name": "紧急", "priorities": ["urgent"], "first_response_seconds": 60},
        refused_role="supervisor",
    ),
    Case("GET", "/api/v1/sla/policies/{policy_id}", refused_role="supervisor"),
    Case(
        "PATCH",
        "/api/v1/sla/policies/{policy_id}",
        {"calendar_id": "{calendar_id}"},
        refused_role="supervisor",
    ),
    Case("DELETE", "/api/v1/sla/policies/{policy_id}", refused_role="supervisor"),
    Case("GET", "/api/v1/sla/conversations/{conversation_id}"),
    Case("GET", "/api/v1/sla/at-risk", refused_role="agent"),
    Case("GET", "/api/v1/sla/attainment", refused_role="agent"),
    # end of sla
    # --- routing: presence, live board, escalation, sub-tasks ---
    Case("GET", "/api/v1/routing/presence", refused_role="department"),
    Case("PUT", "/api/v1/routing/presence", {"presence": "away"}, refused_role="department"),
    Case("GET", "/api/v1/routing/board", refused_role="agent"),
    Case(
        "POST",
        "/api/v1/conversations/{conversation_id}/escalate",
        {"note": "需要高级客服处理"},
        refused_role="department",
    ),
    Case("GET", "/api/v1/conversations/{conversation_id}/subtasks"),
    Case(
        "POST",
        "/api/v1/conversations/{conversation_id}/subtasks",
        {"department": "logistics", "title": "请查询包裹"},
        refused_role="department",
    ),
    Case("GET", "/api/v1/subtasks"),
    Case("POST", "/api/v1/subtasks/{subtask_id}/finish", {"result": "已找到包裹"}),
    # routing admin: queues, rules, agents' routing profiles, the shop's settings
    Case("GET", "/api/v1/routing/queues", refused_role="agent"),
    Case(
        "POST",
        "/api/v1/routing/queues",
        {"name": "售前咨询", "skill": "presales"},
        refused_role="supervisor",
    ),
    Case(
        "PATCH",
        "/api/v1/routing/queues/{queue_id}",
        {"peak_threshold_seconds": 300},
        refused_role="supervisor",
    ),
    Case("DELETE", "/api/v1/routing/queues/{queue_id}", refused_role="supervisor"),
    Case("GET", "/api/v1/routing/rules", refused_role="agent"),
    Case(
        "POST",
        "/api/v1/routing/rules",
        {"name": "退款", "queue_id": "{queue_id}", "keywords": ["退款"]},
        refused_role="supervisor",
    ),
    Case(
        "PUT", "/api/v1/routing/rules/order", {"rule_ids": ["{rule_id}"]}, refused_role="supervisor"
    ),
    Case("PATCH", "/api/v1/routing/rules/{rule_id}", {"enabled": False}, refused_role="supervisor"),
    Case("DELETE", "/api/v1/routing/rules/{rule_id}", refused_role="supervisor"),
    Case("GET", "/api/v1/routing/agents", refused_role="agent"),
    Case(
        "PATCH",
        "/api/v1/routing/agents/{user_id}",
        {"max_chats": 6, "peak_squad": True},
        refused_role="supervisor",
    ),
    Case("GET", "/api/v1/routing/settings", refused_role="agent"),
    Case(
        "PATCH",
        "/api/v1/routing/settings",
        {"strategy": "longest_idle"},
        refused_role="supervisor",
    ),
    # end of routing admin
    # --- analytics: KPIs, goals, live figures ---
    Case("GET", "/api/v1/analytics/kpis", refused_role="agent", params={"period": "2026-10"}),
    Case("GET", "/api/v1/analytics/heatmap", refused_role="agent", params={"period": "2026-10"}),
    Case(
        "GET", "/api/v1/analytics/distribution", refused_role="agent", params={"period": "2026-10"}
    ),
    Case("GET", "/api/v1/analytics/goals", refused_role="agent"),
    Case("PUT", "/api/v1/analytics/goals", {"targets": {"fcr": 0.8}}, refused_role="agent"),
    Case("GET", "/api/v1/analytics/live", refused_role="agent"),
    # reports and their schedules
    Case(
        "GET",
        "/api/v1/analytics/report",
        refused_role="agent",
        params={"period": "2026-10", "format": "html"},
    ),
    Case("GET", "/api/v1/analytics/report-schedules", refused_role="agent"),
    Case(
        "POST", "/api/v1/analytics/report-schedules", {"frequency": "weekly"}, refused_role="agent"
    ),
    Case(
        "PATCH",
        "/api/v1/analytics/report-schedules/{schedule_id}",
        {"enabled": False},
        refused_role="agent",
    ),
    Case("DELETE", "/api/v1/analytics/report-schedules/{schedule_id}", refused_role="agent"),
    # end of analytics
    # --- workforce: plans and the Erlang calculator ---
    Case("GET", "/api/v1/wfm/plans", refused_role="agent"),
    Case("POST", "/api/v1/wfm/plans", {"week_start": "2020-01-06"}, refused_role="agent"),
    Case("GET", "/api/v1/wfm/plans/{plan_id}", refused_role="agent"),
    Case("GET", "/api/v1/wfm/plans/{plan_id}/roster.csv", refused_role="agent"),
    Case("GET", "/api/v1/wfm/plans/{plan_id}/coverage.csv", refused_role="agent"),
    Case("GET", "/api/v1/wfm/erlang", refused_role="agent", params={"volume": "10"}),
    # end of workforce
]


def api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every documented API operation, from the OpenAPI spec the app serves."""
    paths = app.openapi()["paths"]
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/")
        for method in operations
    }


def test_every_api_route_is_in_the_table(app: FastAPI) -> None:
    table = {(c.method, c.path) for c in CASES}
    assert api_routes(app) - table == set(), "add these routes to CASES"
    assert table - api_routes(app) == set(), "CASES names routes that do not exist"


async def _ids(factory: Factory, db: Database, shop: Shop) -> dict[str, Any]:
    """Create one of everything in ``shop`` and return the ids the route paths need."""
    agent = await factory.user(shop, role="agent")
    customer = await factory.customer(shop)
    conversation = await factory.conversation(shop, customer=customer)
    now = utcnow()
    async with db.session() as session:
        token = ApiToken(
            shop_id=shop.id,
            name="t",
            role="agent",
            prefix="kefu_x",
            token_hash=f"h-{shop.slug}",
            created_at=now,
        )
        product = Product(shop_id=shop.id, sku=f"SKU-{shop.id}", name="无线耳机", price_cents=19900)
        order = Order(
            shop_id=shop.id,
            order_no=f"NO{shop.id}",
            customer_id=customer.id,
            status="shipped",
            total_cents=19900,
            placed_at=now - timedelta(days=3),
        )
        channel = WebhookChannel(
            shop_id=shop.id,
            name="微信",
            platform="wechat",
            callback_url="https://shop.example/im",
            secret="whsec_test",
            is_enabled=True,
            created_at=now,
            updated_at=now,
        )
        session.add_all([token, product, order, channel])
        await session.flush()
        shipment = Shipment(
            shop_id=shop.id,
            order_id=order.id,
            carrier="顺丰速运",
            tracking_no=f"SF{shop.id}",
            status="in_transit",
            shipped_at=now,
        )
        ret = ReturnRequest(
            shop_id=shop.id,
            order_id=order.id,
            kind="return",
            reason="质量问题",
            status="requested",
            requested_at=now,
        )
        canned = CannedReply(
            shop_id=shop.id,
            shortcut="/退货",
            title="退货说明",
            body="您好 {customer_name}，七天无理由退货。",
            language="zh",
            created_at=now,
            updated_at=now,
        )
        subtask = Subtask(
            shop_id=shop.id,
            conversation_id=conversation.id,
            department="logistics",
            title="请查询包裹",
            status="open",
            created_at=now,
            updated_at=now,
        )
        session.add_all([shipment, ret, canned, subtask])
        kb_ids = await _kb_ids(session, shop.id)
        sla_ids = await _sla_ids(session, shop.id)  # sla
        routing_ids = await _routing_ids(session, shop.id)  # routing admin
        schedule = ReportSchedule(
            shop_id=shop.id, frequency="monthly", enabled=False, created_at=now, updated_at=now
        )  # reports
        session.add(schedule)
        plan = WfmPlan(
            shop_id=shop.id, week_start=date(2026, 12, 7), interval_minutes=30,
            status="OPTIMAL", params={}, forecast=[], requirement=[], roster=[], coverage=[],
            summary={}, created_at=now,
        )  # fmt: skip
        session.add(plan)
        await session.commit()
        return {
            "user_id": agent.id,
            "token_id": token.id,
            "customer_id": customer.id,
            "conversation_id": conversation.id,
            "order_id": order.id,
            "order_no": order.order_no,
            "product_id": product.id,
            "shipment_id": shipment.id,
            "return_id": ret.id,
            "canned_reply_id": canned.id,
            "subtask_id": subtask.id,
            **kb_ids,
            **sla_ids,
            **routing_ids,
            "schedule_id": schedule.id,
            "plan_id": plan.id,
            "channel_id": channel.id,
            "delivery_id": await _dead_delivery(session, channel, conversation.id),
            "kind": "products",
        }


async def _kb_ids(session: AsyncSession, shop_id: int) -> dict[str, int]:
    """A published FAQ entry with two versions, in a category."""
    now = utcnow()
    category = KbCategory(shop_id=shop_id, name="退换货", position=0, created_at=now)
    session.add(category)
    await session.flush()
    article = KbArticle(
        shop_id=shop_id,
        category_id=category.id,
        kind="faq",
        language="zh",
        status="published",
        latest_version_no=2,
        created_at=now,
        updated_at=now,
        published_at=now,
    )
    session.add(article)
    await session.flush()
    versions = [
        KbVersion(
            article_id=article.id,
            shop_id=shop_id,
            number=number,
            title="支持七天无理由退货吗？",
            body=body,
            questions="能退货吗\n不想要了可以退吗",
            note="",
            created_at=now,
        )
        for number, body in ((1, "支持。"), (2, "支持，签收后七天内可申请。"))
    ]
    session.add_all(versions)
    await session.flush()
    article.current_version_id = versions[1].id
    return {"category_id": category.id, "article_id": article.id, "version_id": versions[0].id}


async def _routing_ids(session: AsyncSession, shop_id: int) -> dict[str, int]:
    """Routing admin: a queue and a rule sending conversations to it."""
    now = utcnow()
    queue = RoutingQueue(
        shop_id=shop_id, name="售后", skill="aftersales", created_at=now, updated_at=now
    )
    session.add(queue)
    await session.flush()
    rule = RoutingRule(
        shop_id=shop_id, name="退款", queue_id=queue.id, created_at=now, updated_at=now
    )
    session.add(rule)
    await session.flush()
    return {"queue_id": queue.id, "rule_id": rule.id}


async def _sla_ids(session: AsyncSession, shop_id: int) -> dict[str, int]:
    """SLA: a calendar and a policy (not using it, so the calendar may be deleted)."""
    now = utcnow()
    calendar = SlaCalendar(
        shop_id=shop_id,
        name="营业时间",
        timezone="Asia/Shanghai",
        weekly=[[[540, 1380]]] * 7,
        holidays=[],
        is_default=True,
        created_at=now,
        updated_at=now,
    )
    policy = SlaPolicy(
        shop_id=shop_id, name="全部会话", first_response_seconds=120, created_at=now, updated_at=now
    )
    session.add_all([calendar, policy])
    await session.flush()
    return {"calendar_id": calendar.id, "policy_id": policy.id}


async def _dead_delivery(
    session: AsyncSession, channel: WebhookChannel, conversation_id: int
) -> int:
    message_id = await session.scalar(
        select(Message.id).where(Message.conversation_id == conversation_id).limit(1)
    )
    assert message_id is not None
    now = utcnow()
    delivery = WebhookDelivery(
        shop_id=channel.shop_id,
        channel_id=channel.id,
        conversation_id=conversation_id,
        kefu_message_id=message_id,
        recipient="wxid_1",
        status="dead",
        attempts=1,
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    await session.commit()
    return delivery.id


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


async def _send(client: httpx.AsyncClient, case: Case, ids: dict[str, Any]) -> httpx.Response:
    path = case.path.format(**ids)
    if case.content is not None:
        return await client.request(
            case.method,
            path,
            params=case.params,
            content=case.content,
            headers={"content-type": case.content_type or "text/plain"},
        )
    body = _fill(case.body, ids)
    return await client.request(
        case.method, path, params=case.params, json=body if body is not None else None
    )


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if "{" in c.path and not c.owns_no_ids],
    ids=lambda c: f"{c.method} {c.path}",
)
async def test_other_shops_ids_are_not_found(
    case: Case, client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    victim, attacker_shop = await factory.shop("受害店铺"), await factory.shop("其他店铺")
    ids = await _ids(factory, db, victim)
    owner = await factory.user(attacker_shop, role="owner")
    await login(client, owner)
    response = await _send(client, case, ids)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"].endswith("not_found")


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.refused_role], ids=lambda c: f"{c.method} {c.path}"
)
async def test_role_without_permission_is_forbidden(
    case: Case, client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    ids = await _ids(factory, db, shop)
    assert case.refused_role is not None
    user = await factory.user(shop, role=case.refused_role)
    await login(client, user)
    response = await _send(client, case, ids)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "case", [c for c in CASES if not c.public], ids=lambda c: f"{c.method} {c.path}"
)
async def test_anonymous_requests_are_refused(
    case: Case, client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    ids = await _ids(factory, db, await factory.shop())
    response = await _send(client, case, ids)
    assert response.status_code == 401, response.text
