"""A demo shop's bot: on, with the default hand-over rules and a greeting in the shop's voice.

The runtime needs no trained model (built-in intents and the knowledge base suffice); a model
file for the shop, when one is trained, is picked up from the model folder as it appears.
"""

from __future__ import annotations

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
            "updated_at": build.now,
        },
    )
