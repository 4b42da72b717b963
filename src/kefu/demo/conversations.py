"""Ninety days of demo conversations: who wrote when, about what, and where each one stands now."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kefu.conversations.status import Channel, Priority, SenderType, Status
from kefu.demo.context import Build
from kefu.demo.customers import Contacts, CustomerFacts
from kefu.demo.dialogue import Line, ScriptPlan, Speaker, pick_length, write_script
from kefu.demo.facts import OrderIndex, Who, make_facts
from kefu.demo.orders import OrderFacts, Product
from kefu.demo.staff import Staff
from kefu.demo.texts_en import ENGLISH
from kefu.demo.timing import (
    Calendar,
    china_day,
    daily_count,
    first_response_delay,
    moments_on,
    reply_gap,
)
from kefu.demo.topic import Corpus, OrderNeed, Topic
from kefu.demo.weighted import Weighted

CONVERSATION_DAYS = 90
CHANNELS = Weighted(((Channel.WEB, 65), (Channel.EMAIL, 20), (Channel.IM, 15)))
ENGLISH_SHARE = 0.02
Timed = tuple[datetime, Line]


@dataclass(frozen=True, slots=True)
class World:
    """Everything of one shop that conversations draw on."""

    build: Build
    cal: Calendar
    staff: Staff
    customers: list[CustomerFacts]
    products: list[Product]
    orders: OrderIndex
    contacts: Contacts
    mixes: dict[tuple[int, int | None], Weighted[Topic]] = field(default_factory=dict)
    # Agent id -> (first answer, last moment) of each conversation they took: their day's
    # presence is drawn around these (analytics reads it for occupancy).
    busy: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a conversation stands at ``now`` and the lines written by then."""

    lines: list[Timed]
    status: Status
    assigned: bool
    resolved_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """One conversation, decided and ready to be written."""

    who: Who
    channel: Channel
    subject: str
    outcome: Outcome
    priority: Priority
    team: str
    tags: set[str]
    start: datetime


def schedule(world: World, rng: random.Random) -> list[datetime]:
    """Start times over the last 90 days, following the daily, weekly and promotion rhythm."""
    build, cal = world.build, world.cal
    start = build.now - timedelta(days=CONVERSATION_DAYS)
    starts: list[datetime] = []
    for day in cal.days():
        mean = build.spec.conversations_per_day * build.scale * cal.factor(day)
        moments = moments_on(rng, cal, day, daily_count(rng, mean))
        starts.extend(m for m in moments if start <= m <= build.now)
    return starts


def draw_conversations(world: World) -> None:
    rng = world.build.rng("conversations")
    starts = schedule(world, rng)
    # The newest few wait unassigned, so the inbox has work when the demo opens.
    waiting_from = len(starts) - world.build.spec.unassigned_now
    for index, start in enumerate(starts):
        _conversation(world, rng, start, waiting=index >= waiting_from)
    _presence(world)


PRESENCE_MARGIN = timedelta(minutes=20)


def _presence(world: World) -> None:
    """Each agent online on the days they worked: from a little before their first conversation
    to a little after their last (never past now: demo agents start offline)."""
    build = world.build
    for agent_id, spans in world.busy.items():
        days: dict[str, list[tuple[datetime, datetime]]] = {}
        for began, ended in spans:
            days.setdefault(str(china_day(began)), []).append((began, ended))
        for _day, items in sorted(days.items()):
            start = min(b for b, _ in items) - PRESENCE_MARGIN
            end = min(max(e for _, e in items) + PRESENCE_MARGIN, build.now)
            build.rows.add(
                "routing_presence_spans",
                {
                    "id": build.ids.take("routing_presence_spans"), "shop_id": build.shop_id,
                    "user_id": agent_id, "presence": "online", "started_at": start,
                    "ended_at": end,
                },
            )  # fmt: skip


def _topic_mix(world: World, corpus: Corpus, at: datetime) -> Weighted[Topic]:
    offset = world.cal.promotion_offset(china_day(at))
    key = (id(corpus), offset)  # corpora are module constants, so their id is stable
    if key not in world.mixes:
        world.mixes[key] = Weighted(
            zip(corpus.topics, _topic_weights(world, corpus.topics, offset), strict=True)
        )
    return world.mixes[key]


def _topic_weights(world: World, topics: tuple[Topic, ...], offset: int | None) -> list[float]:
    """Before a promotion people ask about products and coupons; after it, about parcels."""
    weights = []
    for topic in topics:
        weight = world.build.spec.topic_weights.get(topic.key, 1.0)
        if offset is not None:
            if offset <= 0 and topic.key in ("presale", "coupon"):
                weight *= 2.0
            elif 0 <= offset <= 3 and topic.key in ("urge", "address"):
                weight *= 2.2
            elif offset >= 2 and topic.key in ("logistics", "returns", "exchange", "complaint"):
                weight *= 1.6
        weights.append(weight)
    return weights


def _pick(
    world: World, rng: random.Random, corpus: Corpus, at: datetime
) -> tuple[Topic, CustomerFacts, OrderFacts | None]:
    """A topic with a customer (and an order of theirs) that fits it; product questions fill in
    when no order fits."""
    topic = _topic_mix(world, corpus, at).pick(rng)
    order = world.orders.find(rng, topic, at)
    if order is not None:
        return topic, order.customer, order
    if topic.needs is not OrderNeed.NONE:
        topic = next(t for t in corpus.topics if t.needs is OrderNeed.NONE)
    customer = rng.choice(world.customers)
    for _ in range(6):
        if customer.created_at <= at:
            break
        customer = rng.choice(world.customers)
    return topic, customer, None


def _times(
    world: World, rng: random.Random, channel: str, start: datetime, lines: list[Line]
) -> list[Timed]:
    """When each line was written; internal notes run alongside the conversation."""
    clock, answered, timed = start, False, []
    note_at = start
    for index, line in enumerate(lines):
        if line.speaker is Speaker.NOTE:
            note_at = clock + timedelta(seconds=rng.uniform(30, 900))
            timed.append((note_at, line))
            continue
        if line.speaker is Speaker.DEPARTMENT:
            timed.append((note_at + timedelta(seconds=rng.uniform(600, 4 * 3600)), line))
            continue
        if index == 0:
            at = start
        elif line.speaker is Speaker.BOT:
            at = clock + timedelta(seconds=rng.uniform(1, 4))
        elif line.speaker is Speaker.CUSTOMER:
            after_bot = lines[index - 1].speaker is Speaker.BOT
            gap = rng.uniform(5, 40) if after_bot else reply_gap(rng, channel, customer=True)
            at = clock + timedelta(seconds=gap)
        elif answered:
            at = clock + timedelta(seconds=reply_gap(rng, channel, customer=False))
        else:
            delay = first_response_delay(rng, world.cal, channel, clock)
            at, answered = clock + timedelta(seconds=delay), True
        clock = at
        timed.append((at, line))
    timed.sort(key=lambda pair: pair[0])
    return timed


_UNSTAFFED = (Speaker.CUSTOMER, Speaker.BOT)


def _public(line: Line) -> bool:
    return line.speaker in (Speaker.CUSTOMER, Speaker.AGENT, Speaker.BOT)


def _waiting_status(lines: list[Timed]) -> Status:
    last = next(line for _, line in reversed(lines) if _public(line))
    return Status.PENDING if last.speaker is Speaker.AGENT else Status.OPEN


def _fate(rng: random.Random, timed: list[Timed], now: datetime, *, waiting: bool) -> Outcome:
    """Where the conversation stands at ``now``: unanswered, in progress, resolved or closed."""
    if waiting:  # nobody on the team has seen it yet: keep what came before the first answer
        unanswered = list(itertools.takewhile(lambda pair: pair[1].speaker in _UNSTAFFED, timed))
        return Outcome([p for p in unanswered if p[0] <= now], Status.OPEN, False)
    seen = [pair for pair in timed if pair[0] <= now]
    if len(seen) < len(timed):
        return Outcome(seen, _waiting_status(seen), True)
    end = timed[-1][0]
    if now - end < timedelta(days=2) and rng.random() < 0.2:
        return Outcome(seen, Status.PENDING, True)  # waiting for the customer's photos or reply
    resolved = end + timedelta(seconds=rng.uniform(30, 900))
    if resolved > now:
        return Outcome(seen, _waiting_status(seen), True)
    closed = resolved + timedelta(hours=rng.uniform(24, 72))  # closed automatically
    if closed > now:
        return Outcome(seen, Status.RESOLVED, True, resolved)
    return Outcome(seen, Status.CLOSED, True, resolved, closed)


def _priority(rng: random.Random, topic: Topic, who: Who) -> Priority:
    vip = who.customer.vip
    shipment = who.order.shipment if who.order else None
    if topic.key == "complaint":
        return Priority.URGENT if vip >= 3 else Priority.HIGH
    if vip >= 3 or (shipment is not None and shipment.exception) or (vip and rng.random() < 0.3):
        return Priority.HIGH
    if topic.key in ("presale", "coupon") and rng.random() < 0.25:
        return Priority.LOW
    return Priority.URGENT if rng.random() < 0.01 else Priority.NORMAL


def _tags(topic: Topic, who: Who, *, english: bool) -> set[str]:
    tags = {topic.tag}
    if who.customer.vip >= 1:
        tags.add("VIP")
    if english:
        tags.add("英文")
    if who.order is not None and who.order.shipment is not None and who.order.shipment.exception:
        tags.add("物流异常")
    return tags


def _conversation(world: World, rng: random.Random, start: datetime, *, waiting: bool) -> None:
    build = world.build
    english = rng.random() < ENGLISH_SHARE
    corpus = ENGLISH if english else build.spec.corpus
    topic, customer, order = _pick(world, rng, corpus, start)
    channel = CHANNELS.pick(rng)
    world.contacts.ensure(customer, channel.value)
    agent = rng.choice(world.staff.agents_by_team[topic.team])
    product = rng.choice(world.products)  # what a product question is about
    who = Who(build.spec, topic, agent, customer, order, product)
    plan = ScriptPlan(
        topic=topic, facts=make_facts(rng, who), length=pick_length(rng, channel.value),
        channel=channel.value,
        with_bot=channel is not Channel.EMAIL and rng.random() < 0.3,
        with_note=rng.random() < 0.12,
    )  # fmt: skip
    script = write_script(rng, corpus, plan)
    outcome = _fate(
        rng, _times(world, rng, channel.value, start, script.lines), build.now, waiting=waiting
    )
    tags = _tags(topic, who, english=english)
    peak = world.cal.promotion_name(china_day(start))
    if peak is not None:
        tags.add(peak)
    draft = Draft(
        who=who, channel=channel, subject=script.subject, outcome=outcome,
        priority=_priority(rng, topic, who), team=topic.team, tags=tags, start=start,
    )  # fmt: skip
    _emit(world, draft)


def _sender(world: World, draft: Draft, line: Line) -> tuple[SenderType, int | None, bool]:
    """(sender_type, sender_user_id, is_internal) of one line."""
    if line.speaker is Speaker.CUSTOMER:
        return SenderType.CUSTOMER, None, False
    if line.speaker is Speaker.BOT:
        return SenderType.BOT, None, False
    if line.speaker is Speaker.DEPARTMENT:
        return SenderType.AGENT, world.staff.departments[line.department].id, True
    return SenderType.AGENT, draft.who.agent.id, line.speaker is Speaker.NOTE


def _routing(draft: Draft, answers: list[datetime]) -> dict[str, object]:
    """The routing and SLA columns: people took it when they first answered."""
    outcome = draft.outcome
    waiting = outcome.status is Status.OPEN and not outcome.assigned
    return {
        "queued_at": draft.start if answers or waiting else None,
        "assigned_at": answers[0] if answers and outcome.assigned else None,
        "min_tier": None, "intent": None, "angry": False,
        "awaiting_reply_since": None, "last_agent_reply_at": answers[-1] if answers else None,
        "status_changed_at": outcome.closed_at or outcome.resolved_at,
        "complaint_since": draft.start if draft.who.topic.key == "complaint" else None,
        "sla_due_at": None,
    }  # fmt: skip


def _emit(world: World, draft: Draft) -> None:
    build, outcome = world.build, draft.outcome
    conversation_id = build.ids.take("conversations")
    public = [at for at, line in outcome.lines if _public(line)]
    answers = [at for at, line in outcome.lines if line.speaker is Speaker.AGENT]
    moments = [at for at, _ in outcome.lines] + [
        m for m in (outcome.resolved_at, outcome.closed_at) if m is not None
    ]
    if answers and outcome.assigned:
        finished = outcome.resolved_at or max(at for at, _ in outcome.lines)
        world.busy.setdefault(draft.who.agent.id, []).append((answers[0], finished))
    build.rows.add(
        "conversations",
        {
            "id": conversation_id, "shop_id": build.shop_id, "channel": draft.channel.value,
            "customer_id": draft.who.customer.id, "subject": draft.subject[:200],
            "status": outcome.status.value, "priority": draft.priority.value,
            "assignee_id": draft.who.agent.id if outcome.assigned else None,
            "team_id": world.staff.team_ids[draft.team],
            "message_count": len(outcome.lines), "created_at": draft.start,
            "updated_at": max(moments), "last_message_at": max(public),
            "first_response_at": answers[0] if answers else None,
            "resolved_at": outcome.resolved_at, "closed_at": outcome.closed_at,
            **_routing(draft, answers), "queue_id": world.staff.queue_by_team.get(draft.team),
            "reopen_count": 0,
        },
    )  # fmt: skip
    for at, line in outcome.lines:
        sender_type, sender_id, internal = _sender(world, draft, line)
        build.rows.add(
            "messages",
            {
                "id": build.ids.take("messages"), "shop_id": build.shop_id,
                "conversation_id": conversation_id, "sender_type": sender_type.value,
                "sender_user_id": sender_id, "body": line.text, "is_internal": internal,
                "idempotency_key": None, "created_at": at,
            },
        )  # fmt: skip
    for tag in sorted(draft.tags):
        build.rows.add(
            "conversation_tags",
            {"conversation_id": conversation_id, "name": tag, "shop_id": build.shop_id},
        )
