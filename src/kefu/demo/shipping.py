"""Demo shipments: carriers, tracking numbers and the tracking events a parcel leaves behind."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from kefu.commerce.states import ShipmentStatus
from kefu.demo.context import Build
from kefu.demo.names import CARRIERS, HUB_CITIES, masked_mobile, person
from kefu.demo.timing import CHINA
from kefu.demo.weighted import Weighted

_EXCEPTIONS = ("恶劣天气影响，航班延误", "收件地址不详，正在联系收件人", "分拣中心爆仓，延迟发出",
               "交通管制，车辆延误")  # fmt: skip
_SIGNED_BY = ("本人", "本人", "家门口", "快递柜(丰巢)", "菜鸟驿站", "公司前台", "家人")
EXCEPTION_RATE = 0.04
_CARRIERS = Weighted(CARRIERS)
_STOPOVERS = Weighted(((0, 30), (1, 55), (2, 15)))


@dataclass(frozen=True, slots=True)
class ShipmentFacts:
    carrier: str
    tracking_no: str
    hubs: tuple[str, ...]  # hub cities from the warehouse to the customer's city
    exception: bool
    delivered_at: datetime  # when it is (or will be) signed for, possibly after ``now``


@dataclass(frozen=True, slots=True)
class _Event:
    at: datetime
    status: ShipmentStatus
    location: str
    description: str


def tracking_number(rng: random.Random, carrier: str) -> str:
    digits = f"{rng.randrange(10**12):012d}"
    return {
        "顺丰速运": f"SF1{digits}",
        "中通快递": f"7{rng.randrange(3, 9)}{digits}",
        "圆通速递": f"YT{rng.randrange(1, 9)}{digits}",
        "京东物流": f"JDV{digits}",
        "EMS": f"98{digits[:11]}",
    }[carrier]


def _route(rng: random.Random, origin: str, destination: str) -> tuple[str, ...]:
    others = [city for city in HUB_CITIES if city not in (origin, destination)]
    middle = rng.sample(others, _STOPOVERS.pick(rng))
    return (origin, *middle, destination)


def _events(
    rng: random.Random, carrier: str, hubs: tuple[str, ...], shipped_at: datetime
) -> tuple[list[_Event], bool]:
    """The parcel's whole journey; the caller keeps what has happened by ``now``."""
    courier = person(rng).name[0] + "师傅"
    at = shipped_at + timedelta(hours=rng.uniform(0.5, 3))
    picked_up = f"【{hubs[0]}】{carrier} 已揽收，揽件员：{courier}"
    events = [_Event(at, ShipmentStatus.IN_TRANSIT, hubs[0], picked_up)]
    exception = rng.random() < EXCEPTION_RATE
    stuck_at = rng.randrange(1, len(hubs)) if exception else -1
    for index, hub in enumerate(hubs[1:], start=1):
        at += timedelta(hours=rng.uniform(5, 20))
        centre = f"{hub}转运中心"
        events.append(_Event(at, ShipmentStatus.IN_TRANSIT, centre, f"快件已到达【{centre}】"))
        if index == stuck_at:
            at += timedelta(hours=rng.uniform(2, 8))
            stuck = f"快件在【{centre}】滞留，原因：{rng.choice(_EXCEPTIONS)}"
            events.append(_Event(at, ShipmentStatus.EXCEPTION, centre, stuck))
            at += timedelta(hours=rng.uniform(24, 60))
    local = at.astimezone(CHINA)
    if local.hour >= 16 or local.hour < 7:  # delivered the next morning
        morning = (local + timedelta(hours=12)).replace(hour=8, minute=0, second=0)
        at = morning.astimezone(at.tzinfo) + timedelta(minutes=rng.uniform(0, 120))
    else:
        at += timedelta(hours=rng.uniform(1, 4))
    city = hubs[-1]
    events.append(
        _Event(at, ShipmentStatus.OUT_FOR_DELIVERY, f"{city}营业部",
               f"【{city}】派送员{courier}（{masked_mobile(rng)}）正在为您派件")
    )  # fmt: skip
    at += timedelta(hours=rng.uniform(0.5, 6))
    signed = f"快件已签收，签收人：{rng.choice(_SIGNED_BY)}，感谢使用{carrier}"
    events.append(_Event(at, ShipmentStatus.DELIVERED, city, signed))
    return events, exception


def ship(
    build: Build, rng: random.Random, *, order_id: int, destination: str, shipped_at: datetime
) -> ShipmentFacts:
    """Write the shipment of one order and the tracking events that happened by ``now``."""
    carrier = _CARRIERS.pick(rng)
    hubs = _route(rng, rng.choice(build.spec.warehouse_cities), destination)
    events, exception = _events(rng, carrier, hubs, shipped_at)
    seen = [e for e in events if e.at <= build.now]
    facts = ShipmentFacts(carrier, tracking_number(rng, carrier), hubs, exception, events[-1].at)
    shipment_id = build.ids.take("shipments")
    delivered = events[-1].at if seen and seen[-1] is events[-1] else None
    build.rows.add(
        "shipments",
        {
            "id": shipment_id, "shop_id": build.shop_id, "order_id": order_id,
            "carrier": carrier, "tracking_no": facts.tracking_no,
            "status": seen[-1].status.value if seen else ShipmentStatus.PENDING.value,
            "shipped_at": shipped_at, "delivered_at": delivered,
        },
    )  # fmt: skip
    for event in seen:
        build.rows.add(
            "tracking_events",
            {
                "id": build.ids.take("tracking_events"), "shipment_id": shipment_id,
                "occurred_at": event.at, "status": event.status.value,
                "location": event.location, "description": event.description,
            },
        )  # fmt: skip
    return facts
