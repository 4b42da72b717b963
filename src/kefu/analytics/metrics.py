"""The KPIs Kefu measures: their keys, names in both languages, units, which way is better, and
the default goals (the common e-commerce service plan). Definitions: docs/metrics.md."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    SECONDS = "seconds"
    RATIO = "ratio"
    COUNT = "count"


class Kind(StrEnum):
    MEAN = "mean"  # an average of per-item values (a Welch test compares two periods)
    RATE = "rate"  # successes over trials (a two-proportion test compares two periods)
    TOTAL = "total"  # a count (a Poisson test compares two periods)


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: Unit
    kind: Kind
    higher_is_better: bool

    def label(self, locale: str) -> str:
        return self.zh if locale.startswith("zh") else self.en


_ALL = (
    Metric("conversations", "会话量", "Conversations", Unit.COUNT, Kind.TOTAL, True),
    Metric("messages_handled", "客服消息数", "Agent messages", Unit.COUNT, Kind.TOTAL, True),
    Metric("handled", "人工接待会话", "Handled by agents", Unit.COUNT, Kind.TOTAL, True),
    Metric(
        "first_response_time", "首次响应时长", "First response time", Unit.SECONDS, Kind.MEAN, False
    ),
    Metric(
        "avg_response_time", "平均响应时长", "Average response time", Unit.SECONDS, Kind.MEAN, False
    ),
    Metric("handle_time", "平均处理时长", "Average handle time", Unit.SECONDS, Kind.MEAN, False),
    Metric("resolution_time", "解决时长", "Resolution time", Unit.SECONDS, Kind.MEAN, False),
    Metric("resolution_rate", "解决率", "Resolution rate", Unit.RATIO, Kind.RATE, True),
    Metric("fcr", "一次解决率", "First-contact resolution", Unit.RATIO, Kind.RATE, True),
    Metric("reopen_rate", "重开率", "Reopen rate", Unit.RATIO, Kind.RATE, False),
    Metric("csat", "满意度", "CSAT", Unit.RATIO, Kind.RATE, True),
    Metric("complaint_rate", "投诉率", "Complaint rate", Unit.RATIO, Kind.RATE, False),
    Metric(
        "repeat_complaint_rate", "重复投诉率", "Repeat-complaint rate", Unit.RATIO, Kind.RATE, False
    ),
    Metric(
        "complaint_feedback_24h",
        "投诉24小时内反馈率",
        "Complaints answered within 24 h",
        Unit.RATIO,
        Kind.RATE,
        True,
    ),
    Metric("bot_containment", "机器人独立解决率", "Bot containment", Unit.RATIO, Kind.RATE, True),
    Metric("sla_attainment", "SLA达成率", "SLA attainment", Unit.RATIO, Kind.RATE, True),
    Metric("occupancy", "坐席占用率", "Agent occupancy", Unit.RATIO, Kind.RATE, True),
)

METRICS: dict[str, Metric] = {m.key: m for m in _ALL}

# The common e-commerce service plan: average response within 5 minutes, complaint rate at
# most 3 %, complaints answered within 24 hours, satisfaction at least 90 %.
DEFAULT_GOALS: dict[str, float] = {
    "avg_response_time": 300.0,
    "complaint_rate": 0.03,
    "complaint_feedback_24h": 1.0,
    "csat": 0.9,
}


def require_metric(key: str) -> Metric:
    metric = METRICS.get(key)
    if metric is None:
        raise KeyError(key)
    return metric


def goal_met(metric: Metric, value: float | None, target: float) -> bool | None:
    """Whether ``value`` meets ``target`` (None when there is no value yet)."""
    if value is None:
        return None
    return value >= target if metric.higher_is_better else value <= target
