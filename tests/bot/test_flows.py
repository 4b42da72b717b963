"""Self-service flows as pure decisions: order status, returns, address changes, invoices."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from kefu.bot import flows
from kefu.bot.flows import OrderFacts, ReturnFact, ShipmentFact, TrackingFact

NOW = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
ORDER = OrderFacts(
    id=1,
    order_no="NO000123",
    status="paid",
    placed_at=NOW - timedelta(days=3),
    shipping_address="上海市浦东新区世纪大道 1 号",
)


def _delivered(days_ago: float) -> OrderFacts:
    arrived = NOW - timedelta(days=days_ago)
    shipment = ShipmentFact("顺丰速运", "SF1", "delivered", arrived - timedelta(days=2), arrived)
    return replace(ORDER, status="delivered", shipments=(shipment,))


def _return(order: OrderFacts, kind: str = "return", window: int = 7) -> flows.Outcome:
    return flows.return_request(
        order, kind=kind, reason="太小了", now=NOW, window_days=window, language="zh", zone=SHANGHAI
    )


def test_status_reports_latest_tracking_event_in_shop_time() -> None:
    event = TrackingFact(NOW - timedelta(hours=2), "in_transit", "杭州", "快件已到达杭州转运中心")
    shipment = ShipmentFact("顺丰速运", "SF123", "in_transit", NOW - timedelta(days=1), None, event)
    outcome = flows.order_status(
        replace(ORDER, status="shipped", shipments=(shipment,)), "zh", SHANGHAI
    )
    assert "快件已到达杭州转运中心" in outcome.reply
    assert "2026-12-08 10:00" in outcome.reply  # 02:00 UTC is 10:00 in Shanghai
    assert "SF123" in outcome.reply and "运输中" in outcome.reply
    assert outcome.action == "order_status"


def test_status_in_english_for_unshipped_and_cancelled_orders() -> None:
    assert "has not shipped yet" in flows.order_status(ORDER, "en", UTC).reply
    assert "cancelled" in flows.order_status(replace(ORDER, status="cancelled"), "en", UTC).reply


def test_asking_for_the_order_lists_recent_numbers() -> None:
    outcome = flows.ask_for_order(["NO1", "NO2"], "zh")
    assert "NO1" in outcome.reply and outcome.pending == "order_no"
    assert flows.ask_for_order([], "en").reply.startswith("Could you tell me your order number")


def test_return_within_window_opens_a_case() -> None:
    outcome = _return(_delivered(days_ago=3))
    assert outcome.action == "create_return"
    assert outcome.payload == {"order_no": "NO000123", "kind": "return", "reason": "太小了"}


def test_return_after_the_window_is_explained() -> None:
    outcome = _return(_delivered(days_ago=8))
    assert outcome.action is None
    assert "超过 7 天" in outcome.reply


def test_return_of_an_order_not_yet_delivered_is_explained() -> None:
    outcome = _return(replace(ORDER, status="shipped"))
    assert outcome.action is None and "还没有签收" in outcome.reply


def test_return_with_a_case_in_progress_points_to_it() -> None:
    order = replace(_delivered(days_ago=1), returns=(ReturnFact(42, "return", "requested"),))
    outcome = _return(order)
    assert outcome.action is None and "42" in outcome.reply


def test_exchange_uses_the_same_window() -> None:
    assert _return(_delivered(days_ago=2), kind="exchange").action == "create_exchange"


def test_delivered_order_without_a_delivery_time_counts_from_placing() -> None:
    order = replace(ORDER, status="delivered", placed_at=NOW - timedelta(days=10))
    assert flows.delivered_at(order) == order.placed_at
    assert _return(order).action is None


@given(days=st.floats(min_value=0, max_value=60), window=st.integers(min_value=0, max_value=30))
def test_return_is_allowed_exactly_inside_the_window(days: float, window: int) -> None:
    outcome = _return(_delivered(days_ago=days), window=window)
    assert (outcome.action is not None) == (timedelta(days=days) <= timedelta(days=window))


def test_address_change_before_dispatch_asks_then_changes() -> None:
    asked = flows.address_change(ORDER, "zh")
    assert asked.pending == "address" and asked.action is None
    changed = flows.new_address(ORDER, "北京市朝阳区建国路 88 号 SOHO 现代城", "zh")
    assert changed.action == "change_address"
    assert changed.payload["old"] == ORDER.shipping_address
    assert changed.payload["new"] == "北京市朝阳区建国路 88 号 SOHO 现代城"


def test_too_short_address_is_asked_again() -> None:
    outcome = flows.new_address(ORDER, "北京", "zh")
    assert outcome.action is None and outcome.pending == "address"


def test_address_change_after_shipping_is_refused() -> None:
    shipped = replace(ORDER, status="shipped")
    assert flows.address_change(shipped, "en").pending is None
    assert (
        "can no longer be changed"
        in flows.new_address(shipped, "1 Main Street, Springfield", "en").reply
    )
    picked_up = replace(ORDER, shipments=(ShipmentFact("SF", "SF9", "in_transit", NOW),))
    assert flows.address_change(picked_up, "zh").pending is None


def test_invoice_is_recorded_for_paid_orders_only() -> None:
    recorded = flows.invoice_request(ORDER, text="公司抬头：某某科技", language="zh")
    assert (
        recorded.action == "record_invoice" and recorded.payload["request"] == "公司抬头：某某科技"
    )
    refused = flows.invoice_request(
        replace(ORDER, status="pending_payment"), text="", language="zh"
    )
    assert refused.action is None and "待付款" in refused.reply
