"""A demo shop's routing: queues by skill, the rules that fill them, agents' skills, capacity
and the peak squad, so the live board and the router have something real to work with."""

from __future__ import annotations

from kefu.accounts.permissions import Role, Tier
from kefu.demo.context import Build
from kefu.demo.staff import Member, Staff

# (name, skill code, the team that staffs it, peak squad threshold in seconds)
QUEUES = (
    ("售前咨询", "presales", "售前组", 180),
    ("订单物流", "orders", "售后组", 180),
    ("售后退换", "aftersales", "售后组", None),
    ("投诉处理", "complaints", "投诉组", None),
)
# (name, queue skill, intents, keywords): tried in this order; the rest go to pre-sales. A rule
# needs all its conditions, so intents and keywords are separate rules.
RULES = (
    ("投诉与差评", "complaints", (), ("投诉", "差评", "12315", "complain")),
    ("退换货意图", "aftersales", ("return_request", "exchange_request"), ()),
    ("退换货关键词", "aftersales", (), ("退货", "换货", "退款", "refund", "return")),
    ("订单与物流意图", "orders", ("order_status", "address_change", "invoice_request"), ()),
    ("物流关键词", "orders", (), ("物流", "快递", "发货", "到哪", "tracking", "delivery")),
)  # fmt: skip
_CHATS = {Tier.JUNIOR: 4, Tier.SENIOR: 5, Tier.EXPERT: 6}
_PROFICIENCY = {Tier.JUNIOR: 2, Tier.SENIOR: 4, Tier.EXPERT: 5}


def emit_routing(build: Build, staff: Staff) -> dict[str, int]:
    """Queues, rules, skills and routing profiles; returns queue id by the team it serves
    first (for the demo's past conversations)."""
    now, shop_id = build.now, build.shop_id
    ids = {}
    for position, (name, skill, _team, peak) in enumerate(QUEUES):
        ids[skill] = build.ids.take("routing_queues")
        build.rows.add("routing_queues", {
            "id": ids[skill], "shop_id": shop_id, "name": name, "skill": skill,
            "position": position, "base_tier": "junior", "is_default": skill == "presales",
            "peak_threshold_seconds": peak, "peak_active": False, "peak_changed_at": None,
            "created_at": now, "updated_at": now,
        })  # fmt: skip
    for position, (name, skill, intents, keywords) in enumerate(RULES):
        build.rows.add("routing_rules", {
            "id": build.ids.take("routing_rules"), "shop_id": shop_id, "name": name,
            "position": position, "intents": list(intents), "channels": [],
            "keywords": list(keywords), "min_customer_level": 0, "queue_id": ids[skill],
            "enabled": True, "created_at": now, "updated_at": now,
        })  # fmt: skip
    build.rows.add("routing_settings", {
        "shop_id": shop_id, "auto_assign": True, "strategy": "least_loaded",
        "email_weight": 0.5, "away_after_seconds": 600, "updated_at": now,
    })  # fmt: skip
    for member in staff.members:
        if member.role in (Role.AGENT, Role.SUPERVISOR):
            _emit_agent(build, member, ids)
    by_team: dict[str, int] = {}
    for _name, skill, team, _peak in QUEUES:
        by_team.setdefault(team, ids[skill])
    return by_team


def _emit_agent(build: Build, member: Member, ids: dict[str, int]) -> None:
    tier = member.tier or Tier.SENIOR
    build.rows.add("routing_agents", {
        "user_id": member.id, "shop_id": build.shop_id, "presence": "offline",
        "presence_auto": True, "presence_changed_at": None, "last_seen_at": None,
        "last_assigned_at": None, "max_chats": _CHATS[tier],
        # Supervisors are the peak squad: they step in when a queue's wait runs long.
        "peak_squad": member.role is Role.SUPERVISOR, "updated_at": build.now,
    })  # fmt: skip
    if member.role is not Role.AGENT:
        return
    served = [skill for _name, skill, team, _peak in QUEUES if team == member.team]
    if tier is not Tier.JUNIOR:
        served.append("complaints" if "complaints" not in served else "aftersales")
    for skill in dict.fromkeys(served):
        build.rows.add("routing_agent_skills", {
            "user_id": member.id, "queue_id": ids[skill], "shop_id": build.shop_id,
            "proficiency": _PROFICIENCY[tier],
        })  # fmt: skip
