"""Analytics use cases: KPI tables for a period by dimension and grain, and a shop's goals.
Read-only over the other domains; goals are the only thing written here (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.models import Team, User
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.analytics.kpi import Dimension, Facts, Grain, Stat, Stats, Window, compute, values
from kefu.analytics.metrics import DEFAULT_GOALS, METRICS, Metric, goal_met
from kefu.analytics.models import KpiGoal
from kefu.analytics.periods import Period, parse_period
from kefu.analytics.queries import load_facts
from kefu.routing import board as routing_board
from kefu.routing.board_schemas import Board
from kefu.routing.models import RoutingQueue
from kefu.shared.errors import InvalidInput, NotFound

CHANNEL_LABELS = {
    "web": ("网页聊天", "Web chat"),
    "email": ("邮件", "Email"),
    "im": ("IM/社交", "IM / social"),
    "api": ("API", "API"),
}


@dataclass(frozen=True, slots=True)
class KpiRow:
    key: str | None
    label: str
    bucket: datetime | None
    values: dict[str, float | None]
    stats: Stats


@dataclass(frozen=True, slots=True)
class GoalView:
    metric: Metric
    target: float
    is_default: bool
    value: float | None = None
    met: bool | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One period's facts, loaded once, from which any table is computed."""

    shop_id: int
    period: Period
    facts: Facts
    labels: dict[Dimension, dict[str, str]]
    locale: str

    def table(
        self, dimension: Dimension = Dimension.SHOP, grain: Grain | None = None
    ) -> list[KpiRow]:
        window = Window(self.period.start, self.period.end, self.period.tz, grain)
        grouped = compute(self.facts, dimension=dimension, window=window)
        names = self.labels.get(dimension, {})
        rows = [
            KpiRow(
                key=key,
                label=self._label(dimension, key, names),
                bucket=bucket,
                values=values(stats),
                stats=stats,
            )
            for (key, bucket), stats in grouped.items()
        ]
        rows.sort(key=lambda r: (r.bucket or self.period.start, r.key is None, r.label))
        return rows

    def total(self) -> KpiRow:
        rows = self.table()
        if rows:
            return rows[0]
        empty = compute(Facts(conversations=()), dimension=Dimension.SHOP, window=self._window())
        stats = empty.get((None, None)) or _empty_stats()
        return KpiRow(None, self._label(Dimension.SHOP, None, {}), None, values(stats), stats)

    def _window(self) -> Window:
        return Window(self.period.start, self.period.end, self.period.tz)

    def _label(self, dimension: Dimension, key: str | None, names: dict[str, str]) -> str:
        zh = self.locale.startswith("zh")
        if dimension is Dimension.SHOP:
            return "全店" if zh else "Whole shop"
        if key is None:
            return {
                Dimension.TEAM: "未分组" if zh else "No team",
                Dimension.AGENT: "未分配" if zh else "Unassigned",
                Dimension.QUEUE: "未排队" if zh else "No queue",
            }.get(dimension, "—")
        if dimension is Dimension.CHANNEL:
            pair = CHANNEL_LABELS.get(key)
            return key if pair is None else pair[0 if zh else 1]
        return names.get(key, f"#{key}")


def _empty_stats() -> Stats:
    return {key: Stat() for key in METRICS}


async def _labels(session: AsyncSession, shop_id: int) -> dict[Dimension, dict[str, str]]:
    users = await session.execute(select(User.id, User.name).where(User.shop_id == shop_id))
    teams = await session.execute(select(Team.id, Team.name).where(Team.shop_id == shop_id))
    queues = await session.execute(
        select(RoutingQueue.id, RoutingQueue.name).where(RoutingQueue.shop_id == shop_id)
    )
    return {
        Dimension.AGENT: {str(i): n for i, n in users},
        Dimension.TEAM: {str(i): n for i, n in teams},
        Dimension.QUEUE: {str(i): n for i, n in queues},
    }


async def shop_zone(session: AsyncSession, shop_id: int) -> tuple[ZoneInfo, str]:
    shop = await accounts.get_shop(session, shop_id)
    if shop is None:
        raise NotFound(f"no shop {shop_id}", code="shop_not_found")
    return ZoneInfo(shop.timezone), shop.locale


async def period_for(session: AsyncSession, *, shop_id: int, text: str) -> Period:
    """``text`` (``2026-10``, ``2026-Q3``, ...) in the shop's time zone."""
    tz, _ = await shop_zone(session, shop_id)
    return parse_period(text, tz)


async def snapshot_for_shop(
    session: AsyncSession, *, shop_id: int, period: Period, now: datetime, locale: str | None = None
) -> Snapshot:
    """The period's facts for a shop (no permission check: for the CLI and scheduled reports)."""
    _, shop_locale = await shop_zone(session, shop_id)
    facts = await load_facts(session, shop_id=shop_id, start=period.start, end=period.end, now=now)
    return Snapshot(
        shop_id=shop_id,
        period=period,
        facts=facts,
        labels=await _labels(session, shop_id),
        locale=locale or shop_locale,
    )


async def snapshot(
    session: AsyncSession,
    *,
    actor: Principal,
    period: Period,
    now: datetime,
    locale: str | None = None,
) -> Snapshot:
    actor.require(Permission.ANALYTICS_READ)
    return await snapshot_for_shop(
        session, shop_id=actor.shop_id, period=period, now=now, locale=locale
    )


async def goals_for_shop(
    session: AsyncSession, *, shop_id: int, current: KpiRow | None = None
) -> list[GoalView]:
    """Every goal of the shop (its own targets, the default plan for the rest), with the
    current value and whether it is met when ``current`` is given."""
    rows = await session.scalars(select(KpiGoal).where(KpiGoal.shop_id == shop_id))
    own = {row.metric: row.target for row in rows if row.metric in METRICS}
    targets = {**DEFAULT_GOALS, **own}
    out = []
    for key, target in targets.items():
        metric = METRICS[key]
        value = None if current is None else current.values.get(key)
        out.append(GoalView(metric, target, key not in own, value, goal_met(metric, value, target)))
    order = list(METRICS)
    return sorted(out, key=lambda g: order.index(g.metric.key))


async def goals(session: AsyncSession, *, actor: Principal) -> list[GoalView]:
    actor.require(Permission.ANALYTICS_READ)
    return await goals_for_shop(session, shop_id=actor.shop_id)


def _check_target(metric: Metric, target: float) -> None:
    if target < 0 or (metric.unit.value == "ratio" and target > 1):
        bound = "between 0 and 1" if metric.unit.value == "ratio" else "zero or more"
        raise InvalidInput(
            f"the goal for {metric.key} must be {bound}",
            code="invalid_goal",
            details={"metric": metric.key},
        )


async def set_goals(
    session: AsyncSession, *, actor: Principal, targets: dict[str, float | None], now: datetime
) -> list[GoalView]:
    """Set (or, with None, reset to the default plan) the shop's targets. Commits, audited."""
    actor.require(Permission.ANALYTICS_MANAGE)
    for key, target in targets.items():
        metric = METRICS.get(key)
        if metric is None:
            raise InvalidInput(f"unknown metric {key!r}", code="unknown_metric")
        if target is not None:
            _check_target(metric, target)
    for key, target in targets.items():
        row = await session.get(KpiGoal, (actor.shop_id, key))
        if target is None:
            if row is not None:
                await session.delete(row)
        elif row is None:
            session.add(KpiGoal(shop_id=actor.shop_id, metric=key, target=target, updated_at=now))
        else:
            row.target, row.updated_at = target, now
    await accounts.record_audit(
        session,
        actor=actor,
        action="analytics.goals",
        target_type="shop",
        target_id=actor.shop_id,
        now=now,
        detail={"targets": targets},
    )
    await session.commit()
    return await goals_for_shop(session, shop_id=actor.shop_id)


LIVE_METRICS = (
    "conversations",
    "handled",
    "first_response_time",
    "avg_response_time",
    "resolution_rate",
    "bot_containment",
    "sla_attainment",
    "csat",
    "complaint_rate",
)


@dataclass(frozen=True, slots=True)
class Live:
    """The wallboard: who is on, who waits, and today so far."""

    generated_at: datetime
    board: Board
    today: dict[str, float | None]

    @property
    def waiting(self) -> int:
        return sum(q.waiting for q in self.board.queues)

    @property
    def longest_wait_s(self) -> float:
        return max((q.longest_wait_s for q in self.board.queues), default=0.0)

    def count(self, presence: str) -> int:
        return sum(1 for a in self.board.agents if a.presence == presence)

    @property
    def busy(self) -> int:
        return sum(1 for a in self.board.agents if a.open_conversations > 0)


async def live(session: AsyncSession, *, actor: Principal, now: datetime) -> Live:
    actor.require(Permission.ANALYTICS_READ)
    tz, _ = await shop_zone(session, actor.shop_id)
    today = parse_period(now.astimezone(tz).date().isoformat(), tz)
    snap = await snapshot_for_shop(session, shop_id=actor.shop_id, period=today, now=now)
    values_today = snap.total().values
    return Live(
        generated_at=now,
        board=await routing_board.board(session, actor=actor, now=now),
        today={key: values_today.get(key) for key in LIVE_METRICS},
    )
