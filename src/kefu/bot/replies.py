"""What the bot says, in Chinese and English: one template per situation, filled with facts.

The language is the customer's (`kefu.bot.sentiment` tells it from the script of the message);
templates use `str.format` fields, so a missing fact fails loudly in tests, not in front of a
customer.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]

TEMPLATES: dict[str, tuple[str, str]] = {
    "greeting": (
        "您好，我是智能客服，可以帮您查订单、查物流、办理退换货、修改地址和开发票。"
        "需要人工客服请回复“转人工”。",
        "Hi, I'm the shop's assistant. I can track orders, handle returns and exchanges, "
        "change a delivery address or request an invoice. Type 'talk to a human' for a person.",
    ),
    "bot_name": ("智能客服", "the shop assistant"),
    "thanks": ("不客气，还有其他问题随时找我。", "You're welcome. Anything else, just ask."),
    "ask_order": (
        "请告诉我您的订单号，我马上为您查询。",
        "Could you tell me your order number? I'll look it up right away.",
    ),
    "ask_which_order": (
        "您最近有这几笔订单：{orders}。请回复要查询的订单号。",
        "You have these recent orders: {orders}. Which order number is it about?",
    ),
    "order_not_found": (
        "没有找到订单号 {order_no}，请核对后再发给我。",
        "I couldn't find order {order_no}. Could you check the number and send it again?",
    ),
    "status_unshipped": (
        "订单 {order_no} 状态：{status}，还没有发货，发货后可以随时来查物流。",
        "Order {order_no} is {status} and has not shipped yet; ask again once it ships.",
    ),
    "status_cancelled": ("订单 {order_no} 已取消。", "Order {order_no} was cancelled."),
    "status_shipment": (
        "订单 {order_no} 已由{carrier}发出（运单号 {tracking_no}），物流状态：{shipment_status}。"
        "最新动态：{event_time} {location}{description}",
        "Order {order_no} shipped with {carrier} (tracking {tracking_no}), status: "
        "{shipment_status}. Latest update: {event_time} {location}{description}",
    ),
    "status_shipment_no_events": (
        "订单 {order_no} 已由{carrier}发出（运单号 {tracking_no}），物流状态：{shipment_status}，"
        "暂时还没有物流动态。",
        "Order {order_no} shipped with {carrier} (tracking {tracking_no}), status: "
        "{shipment_status}. No tracking updates yet.",
    ),
    "return_created": (
        "已为订单 {order_no} 提交{kind}申请（编号 {case_id}），售后同事审核后会联系您。",
        "I've opened a {kind} request for order {order_no} (case {case_id}). "
        "Our after-sales team will review it and get back to you.",
    ),
    "return_open": (
        "订单 {order_no} 已有一个处理中的售后申请（编号 {case_id}），请耐心等待审核结果。",
        "Order {order_no} already has a request in progress (case {case_id}); "
        "we'll be in touch once it is reviewed.",
    ),
    "return_expired": (
        "订单 {order_no} 于 {delivered} 签收，已超过 {days} 天的退换货期限，无法在线申请。"
        "如有质量问题请回复“转人工”。",
        "Order {order_no} was delivered on {delivered}, more than {days} days ago, so it is "
        "outside the return window. For a quality problem, type 'talk to a human'.",
    ),
    "return_not_delivered": (
        "订单 {order_no} 还没有签收（{status}），签收后才能申请{kind}。",
        "Order {order_no} has not been delivered yet ({status}); a {kind} can be requested "
        "once it arrives.",
    ),
    "return_not_possible": (
        "订单 {order_no} 当前状态为{status}，不能申请{kind}。",
        "Order {order_no} is {status}, so a {kind} cannot be requested.",
    ),
    "ask_address": (
        "订单 {order_no} 还没有发货，可以修改地址。请发给我新的收货地址（省市区+详细地址）。",
        "Order {order_no} has not shipped yet, so the address can be changed. "
        "Please send the full new delivery address.",
    ),
    "address_too_short": (
        "这个地址好像不完整，请发送完整的收货地址（省市区+详细地址）。",
        "That address looks incomplete. Please send the full delivery address.",
    ),
    "address_changed": (
        "已将订单 {order_no} 的收货地址改为：{address}",
        "The delivery address of order {order_no} is now: {address}",
    ),
    "address_refused": (
        "订单 {order_no} 当前状态为{status}，已无法修改地址。需要帮助请回复“转人工”。",
        "Order {order_no} is {status}, so its address can no longer be changed. "
        "Type 'talk to a human' if you need help.",
    ),
    "invoice_recorded": (
        "已登记订单 {order_no} 的开票申请，发票将在 3 个工作日内开具并发送给您。",
        "Your invoice request for order {order_no} is recorded; the invoice will be issued "
        "within 3 working days.",
    ),
    "invoice_refused": (
        "订单 {order_no} 当前状态为{status}，暂不能开具发票。",
        "Order {order_no} is {status}, so no invoice can be issued for it yet.",
    ),
    "not_understood": (
        "抱歉，我没有理解您的问题，可以换个说法吗？也可以回复“转人工”。",
        "Sorry, I didn't understand. Could you put it another way? Or type 'talk to a human'.",
    ),
    "handoff": (
        "正在为您转接人工客服，预计等待约 {minutes} 分钟，请稍候。",
        "I'm passing you to a member of our team; the expected wait is about {minutes} min.",
    ),
    "handoff_offline": (
        "正在为您转接人工客服。客服暂时不在线，请留下您的问题，我们上线后会第一时间回复。",
        "I'm passing you to our team. No one is online right now; leave your question and "
        "we'll reply as soon as we're back.",
    ),
    "handoff_busy": (
        "正在为您转接人工客服。客服都在忙，请稍候，上方会显示您的排队位置。",
        "I'm passing you to our team. Everyone is busy right now; please hold on, your place "
        "in the queue is shown above.",
    ),
    "handoff_angry": (
        "非常抱歉给您带来不好的体验，",
        "I'm very sorry about this. ",
    ),
}

# Names of states and kinds as the customer reads them.
WORDS: dict[str, tuple[str, str]] = {
    "pending_payment": ("待付款", "awaiting payment"),
    "paid": ("已付款", "paid"),
    "shipped": ("已发货", "shipped"),
    "delivered": ("已签收", "delivered"),
    "completed": ("已完成", "completed"),
    "cancelled": ("已取消", "cancelled"),
    "pending": ("待揽收", "awaiting pickup"),
    "in_transit": ("运输中", "in transit"),
    "out_for_delivery": ("派送中", "out for delivery"),
    "exception": ("异常", "delayed (exception)"),
    "return": ("退货", "return"),
    "exchange": ("换货", "exchange"),
}


def word(key: str, language: Language) -> str:
    pair = WORDS.get(key)
    if pair is None:
        return key
    return pair[0] if language == "zh" else pair[1]


def render(key: str, language: Language, **facts: object) -> str:
    """The template `key` in `language`, filled with `facts`."""
    zh, en = TEMPLATES[key]
    return (zh if language == "zh" else en).format(**facts)
