"""Filling ``{customer_name}``-style placeholders in a canned reply; pure, no I/O.

Only the known names are replaced, by plain substitution rather than ``str.format``, so a body
can never reach attributes or indexes (``{customer_name.__class__}`` stays text) and a brace a
shop writes for itself (``{尺码表}``) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Language = Literal["zh", "en"]

PLACEHOLDERS = ("customer_name", "agent_name", "order_no", "shop_name")
_PATTERN = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

# What a reply says when a value is unknown: a polite form of address, never an empty gap.
DEFAULTS: Mapping[Language, Mapping[str, str]] = {
    "zh": {
        "customer_name": "亲",
        "agent_name": "客服",
        "order_no": "您的订单",
        "shop_name": "本店",
    },
    "en": {
        "customer_name": "there",
        "agent_name": "Customer Service",
        "order_no": "your order",
        "shop_name": "our shop",
    },
}


@dataclass(frozen=True, slots=True)
class PlaceholderValues:
    """What is known about the conversation a reply goes into; None or blank means unknown."""

    customer_name: str | None = None
    agent_name: str | None = None
    order_no: str | None = None
    shop_name: str | None = None


def fill_placeholders(body: str, values: PlaceholderValues, language: Language = "zh") -> str:
    """``body`` with each known placeholder replaced by its value or the language's default."""
    defaults = DEFAULTS[language]

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        value = getattr(values, name)
        return value.strip() if value and value.strip() else defaults[name]

    return _PATTERN.sub(replace, body)


def placeholders_in(body: str) -> list[str]:
    """The known placeholders ``body`` uses, in order of first use."""
    return list(dict.fromkeys(_PATTERN.findall(body)))
