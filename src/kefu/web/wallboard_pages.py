"""The shop's KPI goals and the screens judged by them: the live wallboard (a page whose
fragment htmx polls every ten seconds, coloured against the goals) and the goals form."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.analytics import service
from kefu.analytics.metrics import DEFAULT_GOALS, METRICS, Metric, Unit, goal_met
from kefu.analytics.periods import month_containing
from kefu.http.deps import SessionDep
from kefu.shared.clock import utcnow
from kefu.web.analytics_pages import (
    ReaderDep,
    missing_hint,
    target_text,
    value_text,
)
from kefu.web.board_pages import wait_text
from kefu.web.i18n import CATALOG, Locale, translate
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

POLL_SECONDS = 10
WARN_GAP = 0.2  # within 20 % of the goal is amber, further off is red
TILES = (
    "conversations", "first_response_time", "avg_response_time", "resolution_rate",
    "sla_attainment", "bot_containment", "csat", "complaint_rate",
)  # fmt: skip
# The first response has no goal in the default plan; the plan's "average response within
# 5 minutes" is the standard it is held to until the shop sets one.
FALLBACK_GOAL = {"first_response_time": "avg_response_time"}
GOALS_PATH = "/analytics/goals"
NOTICE = "analytics_notice"
MAX_MINUTES = 10080  # a week
FIELD = "goal-"


def level(metric: Metric, value: float | None, target: float | None) -> str:
    """``ok``, ``warn`` (missed by at most ``WARN_GAP`` of the target), ``bad``; ``none``
    when there is no value, ``plain`` when there is no goal."""
    if value is None:
        return "none"
    if target is None:
        return "plain"
    if goal_met(metric, value, target):
        return "ok"
    if target and abs(value - target) / target <= WARN_GAP:
        return "warn"
    return "bad"


@dataclass(frozen=True, slots=True)
class Tile:
    metric: Metric
    value: str
    level: str
    note: str | None


def tiles(today: dict[str, float | None], targets: dict[str, float], locale: Locale) -> list[Tile]:
    out = []
    for key in TILES:
        metric, value = METRICS[key], today.get(key)
        target = targets.get(key, targets.get(FALLBACK_GOAL.get(key, ""), math.nan))
        has_goal = not math.isnan(target)
        if value is None:
            note: str | None = missing_hint(metric, locale)
        else:
            note = target_text(metric, target, locale) if has_goal else None
        shown = level(metric, value, target if has_goal else None)
        out.append(Tile(metric, value_text(metric, value, locale), shown, note))
    return out


def wait_level(seconds: float, target: float) -> str:
    if seconds <= 0:
        return "none"
    return "ok" if seconds <= target else "warn" if seconds <= 2 * target else "bad"


async def _live_context(session: AsyncSession, viewer: Viewer) -> dict[str, object]:
    live = await service.live(session, actor=viewer.principal, now=utcnow())
    goals = await service.goals_for_shop(session, shop_id=viewer.principal.shop_id)
    targets = {g.metric.key: g.target for g in goals}
    wait_target = targets.get("first_response_time", targets.get("avg_response_time", 300.0))
    return {
        "live": live,
        "tiles": tiles(live.today, targets, viewer.locale),
        "wait": lambda seconds: wait_text(seconds, locale=viewer.locale),
        "wait_level": lambda seconds: wait_level(seconds, wait_target),
        "wait_goal": target_text(METRICS["first_response_time"], wait_target, viewer.locale),
        "poll_seconds": POLL_SECONDS,
    }


@router.get("/wallboard")
async def wallboard_page(request: Request, viewer: ReaderDep, session: SessionDep) -> HTMLResponse:
    """Big numbers for a screen on the wall: who is on, who waits, and today so far."""
    context = await _live_context(session, viewer)
    return viewer.render(request, "analytics/wallboard.html", context)


@router.get("/wallboard/live")
async def wallboard_live(request: Request, viewer: ReaderDep, session: SessionDep) -> HTMLResponse:
    """The wallboard's fragment, which the page polls."""
    context = await _live_context(session, viewer)
    return viewer.render(request, "analytics/_wallboard_live.html", context)


# ---- goals ---------------------------------------------------------------------------------


class FieldError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def goal_metrics() -> list[Metric]:
    """The KPIs a goal can be set for: times and ratios (counts depend on demand, not service)."""
    return [m for m in METRICS.values() if m.unit is not Unit.COUNT]


def field_value(metric: Metric, target: float) -> str:
    """A target as the form shows it: a percentage, or minutes."""
    shown = target * 100 if metric.unit is Unit.RATIO else target / 60
    return f"{round(shown, 4):g}"


def parse_target(metric: Metric, text: str) -> float | None:
    """The target typed for ``metric`` (percent for ratios, minutes for times) in the unit the
    service keeps (a ratio, seconds); None when empty. Raises ``FieldError``."""
    text = text.strip().removesuffix("%").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise FieldError("analytics.goals.error.number") from None
    if not math.isfinite(number):
        raise FieldError("analytics.goals.error.number")
    if metric.unit is Unit.RATIO:
        if not 0 <= number <= 100:
            raise FieldError("analytics.goals.error.percent")
        return round(number / 100, 6)
    if not 0 <= number <= MAX_MINUTES:
        raise FieldError("analytics.goals.error.minutes", max=MAX_MINUTES)
    return round(number * 60, 3)


@dataclass(frozen=True, slots=True)
class GoalRow:
    metric: Metric
    goal: service.GoalView | None
    target: str | None
    value: str
    missing: str | None
    gap: str | None
    field: str
    placeholder: str
    error: FieldError | None


def placeholder(metric: Metric, locale: Locale) -> str:
    default = DEFAULT_GOALS.get(metric.key)
    if default is None:
        return translate(locale, "analytics.goals.placeholder_none")
    value = field_value(metric, default)
    return translate(locale, "analytics.goals.placeholder_default", value=value)


def goal_rows(
    goals: list[service.GoalView],
    current: service.KpiRow,
    locale: Locale,
    typed: dict[str, str] | None = None,
    errors: dict[str, FieldError] | None = None,
) -> list[GoalRow]:
    """One row per goal-able KPI: its goal, this month's value, and the form field (what was
    typed when the form comes back with errors, else the shop's own target)."""
    by_metric, typed, errors = {g.metric.key: g for g in goals}, typed or {}, errors or {}
    out = []
    for metric in goal_metrics():
        goal, value = by_metric.get(metric.key), current.values.get(metric.key)
        own = "" if goal is None or goal.is_default else field_value(metric, goal.target)
        gap = None
        if goal is not None and goal.met is False and value is not None:
            gap = gap_text(metric, value, goal.target, locale)
        out.append(
            GoalRow(
                metric=metric,
                goal=goal,
                target=None if goal is None else target_text(metric, goal.target, locale),
                value=value_text(metric, value, locale),
                missing=missing_hint(metric, locale) if value is None else None,
                gap=gap,
                field=typed.get(metric.key, own),
                placeholder=placeholder(metric, locale),
                error=errors.get(metric.key),
            )
        )
    return out


def gap_text(metric: Metric, value: float, target: float, locale: Locale) -> str:
    """How far a missed goal is: ``还差 5.0 个百分点``, ``超出 1分12秒``."""
    gap = abs(value - target)
    if metric.unit is Unit.RATIO:
        shown = translate(locale, "analytics.change.points", n=f"{gap * 100:.1f}")
    else:
        shown = value_text(metric, gap, locale)
    key = "analytics.goals.gap_short" if metric.higher_is_better else "analytics.goals.gap_over"
    return translate(locale, key, gap=shown)


def _take_notice(request: Request) -> str | None:
    key = request.session.pop(NOTICE, None)
    return key if isinstance(key, str) and key in CATALOG else None


async def _render_goals(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, FieldError] | None = None,
) -> HTMLResponse:
    now = utcnow()
    tz, _ = await service.shop_zone(session, viewer.principal.shop_id)
    month = month_containing(now, tz)
    snap = await service.snapshot(
        session, actor=viewer.principal, period=month, now=now, locale=viewer.locale
    )
    current = snap.total()
    goals = await service.goals_for_shop(session, shop_id=viewer.principal.shop_id, current=current)
    context = {
        "rows": goal_rows(goals, current, viewer.locale, typed, errors),
        "month": month.label,
        "can_manage": viewer.can(Permission.ANALYTICS_MANAGE),
        "has_errors": bool(errors),
        "notice": _take_notice(request),
        "field_prefix": FIELD,
    }
    status = 422 if errors else 200
    return viewer.render(
        request, "analytics/goals.html", context, status_code=status, page_path=GOALS_PATH
    )


@router.get(GOALS_PATH)
async def goals_page(request: Request, viewer: ReaderDep, session: SessionDep) -> HTMLResponse:
    """Each KPI's goal (the default plan marked) and how this month is doing against it."""
    return await _render_goals(request, session, viewer)


async def goals_manager(viewer: ViewerDep) -> Viewer:
    viewer.principal.require(Permission.ANALYTICS_MANAGE)
    return viewer


@router.post(GOALS_PATH)
async def save_goals(
    request: Request,
    viewer: Annotated[Viewer, Depends(goals_manager)],
    session: SessionDep,
) -> Response:
    """Set the targets typed (an empty field goes back to the default plan), or reset them all."""
    sent = await request.form()
    own = {
        g.metric.key: g.target
        for g in await service.goals_for_shop(session, shop_id=viewer.principal.shop_id)
        if not g.is_default
    }
    if sent.get("reset"):
        targets: dict[str, float | None] = dict.fromkeys(own)
        notice = "analytics.goals.reset_done"
    else:
        typed = {m.key: str(sent.get(FIELD + m.key, ""))[:40] for m in goal_metrics()}
        errors: dict[str, FieldError] = {}
        parsed: dict[str, float | None] = {}
        for metric in goal_metrics():
            try:
                parsed[metric.key] = parse_target(metric, typed[metric.key])
            except FieldError as exc:
                errors[metric.key] = exc
        if errors:
            return await _render_goals(request, session, viewer, typed=typed, errors=errors)
        targets = {k: v for k, v in parsed.items() if own.get(k) != v}
        notice = "analytics.goals.saved"
    if targets:
        await service.set_goals(session, actor=viewer.principal, targets=targets, now=utcnow())
    request.session[NOTICE] = notice if targets else "analytics.goals.unchanged"
    return RedirectResponse(GOALS_PATH, status_code=303)
