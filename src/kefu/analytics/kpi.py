"""The KPI engine (pure): groups conversation facts by a dimension and a time grain and adds
them into one ``Stat`` per metric. A ``Stat`` keeps count, sum and sum of squares, so two
periods can be compared for significance without keeping every item (``compare``)."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kefu.analytics.facts import ConversationFact
from kefu.analytics.metrics import METRICS, Kind


class Dimension(StrEnum):
    SHOP = "shop"
    TEAM = "team"
    AGENT = "agent"
    CHANNEL = "channel"
    QUEUE = "queue"


class Grain(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(slots=True)
class Stat:
    """``n`` items (trials for a rate) adding up to ``total`` (successes for a rate)."""

    n: float = 0.0
    total: float = 0.0
    total_sq: float = 0.0

    def add(self, value: float) -> None:
        self.n += 1
        self.total += value
        self.total_sq += value * value

    def merge(self, other: Stat) -> None:
        self.n += other.n
        self.total += other.total
        self.total_sq += other.total_sq

    def value(self, kind: Kind) -> float | None:
        if kind is Kind.TOTAL:
            return self.total
        return self.total / self.n if self.n else None

    def variance(self) -> float | None:
        """Sample variance of the items (for ``Kind.MEAN``)."""
        if self.n < 2:
            return None
        mean = self.total / self.n
        return max(0.0, (self.total_sq - self.n * mean * mean) / (self.n - 1))


Stats = dict[str, Stat]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of one agent's time (online, or busy with at least one conversation)."""

    user_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Facts:
    conversations: Sequence[ConversationFact]
    online: Sequence[Span] = ()
    busy: Sequence[Span] = ()
    agent_teams: Mapping[int, int | None] = field(default_factory=dict)


def bucket(moment: datetime, grain: Grain, tz: ZoneInfo) -> datetime:
    """Start of the hour, day, ISO week (Monday) or month holding ``moment``, in ``tz``."""
    local = moment.astimezone(tz)
    if grain is Grain.HOUR:
        start = local.replace(minute=0, second=0, microsecond=0)
    elif grain is Grain.DAY:
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elif grain is Grain.WEEK:
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        start = day - timedelta(days=day.weekday())
    else:
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # Re-attach the zone so a bucket across a DST change carries that day's offset.
    return start.replace(tzinfo=None).replace(tzinfo=tz)


def next_bucket(start: datetime, grain: Grain) -> datetime:
    naive, tz = start.replace(tzinfo=None), start.tzinfo
    if grain is Grain.HOUR:
        return (start.astimezone(ZoneInfo("UTC")) + timedelta(hours=1)).astimezone(tz)
    if grain is Grain.DAY:
        return (naive + timedelta(days=1)).replace(tzinfo=tz)
    if grain is Grain.WEEK:
        return (naive + timedelta(days=7)).replace(tzinfo=tz)
    year, month = (naive.year + 1, 1) if naive.month == 12 else (naive.year, naive.month + 1)
    return naive.replace(year=year, month=month).replace(tzinfo=tz)


def _conversation_stats(fact: ConversationFact, stats: Stats) -> None:
    def rate(key: str, success: bool | None) -> None:
        if success is not None:
            stats[key].add(1.0 if success else 0.0)

    def mean(key: str, value: float | None) -> None:
        if value is not None:
            stats[key].add(value)

    stats["conversations"].add(1.0)
    if fact.handled:
        stats["handled"].add(1.0)
    mean("first_response_time", fact.first_response_seconds)
    for seconds in fact.response_seconds:
        stats["avg_response_time"].add(seconds)
    mean("handle_time", fact.handle_seconds)
    mean("resolution_time", fact.resolution_seconds)
    rate("resolution_rate", fact.resolved)
    rate("fcr", fact.fcr)
    rate("reopen_rate", fact.reopened if (fact.resolved or fact.reopened) else None)
    rate("complaint_rate", fact.complaint)
    rate("repeat_complaint_rate", fact.repeat_complaint if fact.complaint else None)
    rate("complaint_feedback_24h", fact.complaint_feedback_24h)
    rate("bot_containment", fact.bot_contained if fact.bot_handled else None)
    if fact.sla_met + fact.sla_breached:
        stats["sla_attainment"].n += fact.sla_met + fact.sla_breached
        stats["sla_attainment"].total += fact.sla_met


def _messages(fact: ConversationFact, stats: Stats, sender: int | None) -> None:
    if sender is None:
        stats["messages_handled"].add(float(sum(fact.agent_messages.values())))
    else:
        stats["messages_handled"].add(float(fact.agent_messages.get(sender, 0)))


def _new_stats() -> Stats:
    return {key: Stat() for key in METRICS}


Key = tuple[str | None, datetime | None]


def _dimension_key(
    fact: ConversationFact, dimension: Dimension, teams: Mapping[int, int | None]
) -> str | None:
    if dimension is Dimension.SHOP:
        return None
    if dimension is Dimension.CHANNEL:
        return fact.channel
    if dimension is Dimension.QUEUE:
        return None if fact.queue_id is None else str(fact.queue_id)
    if dimension is Dimension.AGENT:
        return None if fact.assignee_id is None else str(fact.assignee_id)
    team = fact.team_id
    if fact.assignee_id is not None:
        team = teams.get(fact.assignee_id, team)
    return None if team is None else str(team)


def _overlap(a: Span, start: datetime, end: datetime) -> float:
    return max(0.0, (min(a.end, end) - max(a.start, start)).total_seconds())


def _intersect(online: Sequence[Span], busy: Sequence[Span]) -> list[Span]:
    """The stretches in both lists (each sorted and without overlaps), by a two-pointer walk."""
    out: list[Span] = []
    i = j = 0
    while i < len(online) and j < len(busy):
        a, b = online[i], busy[j]
        lo, hi = max(a.start, b.start), min(a.end, b.end)
        if hi > lo:
            out.append(Span(a.user_id, lo, hi))
        if a.end <= b.end:
            i += 1
        else:
            j += 1
    return out


def union(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans of the same agent."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.user_id, s.start)):
        last = merged[-1] if merged else None
        if last is not None and last.user_id == span.user_id and span.start <= last.end:
            merged[-1] = Span(last.user_id, last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def _by_user(spans: Iterable[Span]) -> dict[int, list[Span]]:
    grouped: dict[int, list[Span]] = defaultdict(list)
    for span in union(spans):
        grouped[span.user_id].append(span)
    return grouped


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime
    tz: ZoneInfo
    grain: Grain | None = None

    def buckets(self) -> list[tuple[datetime | None, datetime, datetime]]:
        if self.grain is None:
            return [(None, self.start, self.end)]
        out: list[tuple[datetime | None, datetime, datetime]] = []
        cursor = bucket(self.start, self.grain, self.tz)
        while cursor < self.end:
            following = next_bucket(cursor, self.grain)
            out.append((cursor, max(cursor, self.start), min(following, self.end)))
            cursor = following
        return out


def _occupancy(
    facts: Facts, window: Window, group: Callable[[int], str | None] | None, out: dict[Key, Stats]
) -> None:
    if group is None:
        return
    online, busy = _by_user(facts.online), _by_user(facts.busy)
    for user_id, spans in online.items():
        key = group(user_id)
        both = _intersect(spans, busy.get(user_id, []))
        for label, lo, hi in window.buckets():
            seconds = sum(_overlap(s, lo, hi) for s in spans)
            if seconds <= 0:
                continue
            stat = out.setdefault((key, label), _new_stats())["occupancy"]
            stat.n += seconds
            stat.total += sum(_overlap(s, lo, hi) for s in both)


def compute(facts: Facts, *, dimension: Dimension, window: Window) -> dict[Key, Stats]:
    """Stats per (dimension key, bucket start) for conversations created in the window.
    Occupancy comes from presence and busy spans, so it exists for shop, team and agent only.
    Agent messages count for whoever sent them when grouping by agent."""
    out: dict[Key, Stats] = {}
    teams = facts.agent_teams
    for fact in facts.conversations:
        if not window.start <= fact.created_at < window.end:
            continue
        label = None if window.grain is None else bucket(fact.created_at, window.grain, window.tz)
        key = _dimension_key(fact, dimension, teams)
        stats = out.setdefault((key, label), _new_stats())
        _conversation_stats(fact, stats)
        if dimension is Dimension.AGENT:
            for sender in fact.agent_messages:
                target = out.setdefault((str(sender), label), _new_stats())
                _messages(fact, target, sender)
        else:
            _messages(fact, stats, None)
    grouping: dict[Dimension, Callable[[int], str | None]] = {
        Dimension.SHOP: lambda _user: None,
        Dimension.AGENT: str,
        Dimension.TEAM: lambda user: None if teams.get(user) is None else str(teams.get(user)),
    }
    _occupancy(facts, window, grouping.get(dimension), out)
    return out


def values(stats: Stats) -> dict[str, float | None]:
    """Each metric's value (None where it has no items, e.g. CSAT before surveys exist)."""
    out: dict[str, float | None] = {}
    for key, metric in METRICS.items():
        value = stats[key].value(metric.kind)
        out[key] = None if value is None or math.isnan(value) else value
    return out


def heatmap(facts: Facts, window: Window) -> list[list[int]]:
    """Conversations started in the window by local weekday (0 = Monday) and hour: 7 x 24."""
    grid = [[0] * 24 for _ in range(7)]
    for fact in facts.conversations:
        if window.start <= fact.created_at < window.end:
            local = fact.created_at.astimezone(window.tz)
            grid[local.weekday()][local.hour] += 1
    return grid


# Upper edges (seconds) of the distribution bars for time metrics; the last bar is open.
TIME_EDGES = (30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600)


def distribution(
    facts: Facts, window: Window, metric: str, edges: Sequence[float] = TIME_EDGES
) -> list[int]:
    """How many items of a time metric fall in each bar (``len(edges) + 1`` bars)."""
    counts = [0] * (len(edges) + 1)
    for fact in facts.conversations:
        if not window.start <= fact.created_at < window.end:
            continue
        for value in _items(fact, metric):
            counts[bisect_left(edges, value)] += 1
    return counts


def _items(fact: ConversationFact, metric: str) -> Sequence[float]:
    if metric == "avg_response_time":
        return fact.response_seconds
    single = {
        "first_response_time": fact.first_response_seconds,
        "handle_time": fact.handle_seconds,
        "resolution_time": fact.resolution_seconds,
    }.get(metric)
    return () if single is None else (single,)
