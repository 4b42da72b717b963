"""A demo shop's canned replies: a handful every agent uses daily, in Chinese and English.

Fixed text, no randomness: the same rows on every run, written by the shop's first supervisor.
"""

from __future__ import annotations

from datetime import timedelta

from kefu.accounts.permissions import Role
from kefu.demo.context import Build
from kefu.demo.staff import Staff

# (shortcut, title, body, language); placeholders are filled when an agent inserts the reply.
REPLIES: tuple[tuple[str, str, str, str], ...] = (
    (
        "/问候",
        "开场问候",
        "您好 {customer_name}，我是{shop_name}客服{agent_name}，很高兴为您服务，"
        "请问有什么可以帮您？",
        "zh",
    ),
    (
        "/物流",
        "查询物流",
        "亲，已为您查询订单 {order_no} 的物流，包裹正在运输途中，预计 1-3 天送达，"
        "请留意快递员电话哦～",
        "zh",
    ),
    (
        "/退货",
        "退货流程",
        "{customer_name}您好，本店支持七天无理由退货：请在“我的订单”中找到 {order_no}，"
        "点击“申请售后”并选择退货，审核通过后按页面地址寄回，我们收到后 1-3 个工作日内退款。",
        "zh",
    ),
    (
        "/换货",
        "换货说明",
        "亲，换货请在订单 {order_no} 的“申请售后”中选择换货并注明需要的尺码或颜色，"
        "我们收到寄回的商品后会第一时间为您发出新的商品。",
        "zh",
    ),
    (
        "/催发货",
        "催发货安抚",
        "非常抱歉让您久等了！已为您备注加急，仓库会优先安排订单 {order_no} 发货，"
        "发货后您会收到短信通知。",
        "zh",
    ),
    (
        "/结束",
        "结束语",
        "感谢您的耐心，{customer_name}！如果还有其他问题，随时联系我们。祝您生活愉快～",
        "zh",
    ),
    (
        "/hello",
        "Greeting (English)",
        "Hi {customer_name}, this is {agent_name} from {shop_name}. How can I help you today?",
        "en",
    ),
    (
        "/refund",
        "Refund policy (English)",
        "Hi {customer_name}, you can return order {order_no} within 7 days for a full refund. "
        "Open the order, choose \u201cRequest after-sales\u201d and follow the steps; "
        "we refund within 1-3 working days after the parcel arrives.",
        "en",
    ),
)


def emit_canned_replies(build: Build, staff: Staff) -> None:
    author = next((m.id for m in staff.members if m.role is Role.SUPERVISOR), None)
    written = build.now - timedelta(days=60)
    for index, (shortcut, title, body, language) in enumerate(REPLIES):
        at = written + timedelta(minutes=index)
        build.rows.add(
            "canned_replies",
            {
                "id": build.ids.take("canned_replies"),
                "shop_id": build.shop_id,
                "shortcut": shortcut,
                "title": title,
                "body": body,
                "language": language,
                "created_by_id": author,
                "created_at": at,
                "updated_at": at,
            },
        )
