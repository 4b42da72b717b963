"""The bot's built-in intents and the keyword cues that recognise them, in Chinese and English.

Transactional intents run deterministic flows on the shop's commerce data, so they are matched
by cues first, before any classifier: a customer who writes "转人工" or "where is my order"
must never depend on a model's mood. Cues are regular expressions over normalised text
(`kefu.bot.text.normalize`: half-width, lower case); the first intent in `PRIORITY` whose cue
matches wins, so "我要投诉，转人工" asks for a person and "退货 ... 到哪了" is a return.
"""

from __future__ import annotations

import re
from enum import StrEnum

from kefu.bot.text import normalize


class Intent(StrEnum):
    HUMAN_REQUEST = "human_request"
    RETURN_REQUEST = "return_request"
    EXCHANGE_REQUEST = "exchange_request"
    ADDRESS_CHANGE = "address_change"
    INVOICE_REQUEST = "invoice_request"
    ORDER_STATUS = "order_status"
    THANKS = "thanks"
    GREETING = "greeting"


# Flows that act on one order, and so need to know which one.
ORDER_INTENTS = frozenset(
    {
        Intent.ORDER_STATUS,
        Intent.RETURN_REQUEST,
        Intent.EXCHANGE_REQUEST,
        Intent.ADDRESS_CHANGE,
        Intent.INVOICE_REQUEST,
    }
)

_CUES: dict[Intent, tuple[str, ...]] = {
    Intent.HUMAN_REQUEST: (
        r"转人工",
        r"人工(客服|服务)?",
        r"真人",
        r"找(个)?客服",
        r"\b(talk|speak|chat) (to|with) (a |an |the )?(human|person|agent|someone|representative)",
        r"\b(real|live) (person|human|agent)\b",
        r"\bhuman\b",
        r"\b(an? |the )?agent\b",
        r"\bperson\b",
        r"\brepresentative\b",
    ),
    Intent.EXCHANGE_REQUEST: (
        r"换货",
        r"换(一|个)?(个|件|双)?(尺码|颜色|码|大一|小一|新的)",
        r"调换",
        r"\bexchange\b",
        r"\b(swap|replace) (it|this|the|my)\b",
        r"\breplacement\b",
    ),
    Intent.RETURN_REQUEST: (
        r"退货",
        r"退款",
        r"退掉",
        r"退回",
        r"\breturn(ing)?\b",
        r"\brefund\b",
        r"\bmoney back\b",
        r"\bsend (it|this) back\b",
    ),
    Intent.ADDRESS_CHANGE: (
        r"(改|修改|更改|换|变更)(一下)?(收货|收件|配送|送货)?地址",
        r"地址(写|填)错",
        r"(change|update|correct|wrong) (my |the )?(shipping |delivery )?address",
        r"address (change|is wrong)",
    ),
    Intent.INVOICE_REQUEST: (
        r"发票",
        r"开票",
        r"\binvoice\b",
        r"\bvat receipt\b",
        r"\breceipt\b",
    ),
    Intent.ORDER_STATUS: (
        r"到哪",
        r"物流",
        r"快递",
        r"发货",
        r"查件",
        r"单号",
        r"什么时候(能)?(到|送到|收到)",
        r"还没(有)?(收到|到)",
        r"订单(状态|进度|查询)",
        r"\bwhere('s| is) my (order|package|parcel)\b",
        r"\b(order|delivery|shipping|shipment) status\b",
        r"\btrack(ing)?\b",
        r"\bshipped\b",
        r"\b(hasn't|has not|haven't|not) (arrived|received|come)\b",
        r"\bwhen will (it|my order|my package) (arrive|come)\b",
    ),
    Intent.THANKS: (
        r"谢谢",
        r"多谢",
        r"感谢",
        r"\bthanks?\b",
        r"\bthank you\b",
        r"\bthx\b",
    ),
    Intent.GREETING: (
        r"^(你好|您好|在吗|在不在|哈喽|嗨|hi|hello|hey)[\s!?。.,，~]*$",
        r"^good (morning|afternoon|evening)[\s!?.,~]*$",
    ),
}

# A question about the rules ("支持七天无理由退货吗", "how do returns work?") is for the knowledge
# base even when it names a transactional intent; a request ("我要退货") is not.
_POLICY_QUESTION = re.compile(
    r"吗|怎么|如何|能不能|可不可以|可以.*[?？]|多久|多少|几天|是否|谁|政策|规则"
    r"|\b(how|what|do you|does|is there|policy|can i)\b"
)
_REQUEST = re.compile(r"我要|我想|帮我|给我|申请|\bi (want|would like|need)\b|\bi'd like\b|please")

PRIORITY: tuple[Intent, ...] = tuple(_CUES)
_COMPILED: dict[Intent, re.Pattern[str]] = {
    intent: re.compile("|".join(f"(?:{cue})" for cue in cues)) for intent, cues in _CUES.items()
}


def cue_intent(text: str) -> Intent | None:
    """The highest-priority built-in intent whose cue occurs in `text`, or None."""
    normal = normalize(text)
    for intent in PRIORITY:
        if _COMPILED[intent].search(normal):
            return intent
    return None


def is_policy_question(text: str) -> bool:
    """True for a question about how things work rather than a request to do something."""
    normal = normalize(text)
    return bool(_POLICY_QUESTION.search(normal)) and not _REQUEST.search(normal)


def known_intent(label: str | None) -> Intent | None:
    """A classifier label naming a built-in intent (a shop model may be trained on them)."""
    if label is None:
        return None
    try:
        return Intent(label)
    except ValueError:
        return None
