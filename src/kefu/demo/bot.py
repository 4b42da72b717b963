"""A demo shop's bot: on, with the default hand-over rules, a greeting in the shop's voice and
the intent model shipped for its kind of shop (`kefu.bot.packaged`, built by
`scripts/train_demo_bot.py` from the demo FAQ and public English intents).

A model file the shop trains itself (`kefu bot train --shop`) takes precedence as it appears.
"""

from __future__ import annotations

from kefu.bot.packaged import demo_model_name
from kefu.demo.context import Build


def emit_bot_settings(build: Build) -> None:
    name = build.spec.name
    build.rows.add(
        "bot_settings",
        {
            "shop_id": build.shop_id,
            "enabled": True,
            "handoff_vip_level": None,
            "max_out_of_scope": 2,
            "return_window_days": 7,
            "greeting_zh": f"您好，欢迎光临{name}！我是智能客服，可以帮您查订单、查物流、"
            "办理退换货、修改地址和开发票，需要人工请回复“转人工”。",
            "greeting_en": f"Hi, welcome to {name}! I can track orders, handle returns and "
            "exchanges, change an address or request an invoice. Type 'talk to a human' for a "
            "person.",
            "packaged_model": demo_model_name(build.spec.key),
            "updated_at": build.now,
        },
    )
