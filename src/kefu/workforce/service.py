"""Workforce planning for a shop's week: forecast its contacts from its own history, staff each
interval with Erlang, roster its agents with CP-SAT, check the roster by simulation, and keep
the plan. The solver runs in a thread with no database connection held (SQLite has one)."""

from __future__ import annotations

import asyncio
import csv
import io
import math
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.models import User
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.conversations.models import Conversation
from kefu.routing.models import AgentState
from kefu.shared.clock import as_utc
from kefu.shared.errors import InvalidInput, NotFound
from kefu.workforce import erlang
from kefu.workforce.forecast import Forecast, ForecastRequest, forecast
from kefu.workforce.history import conversation_history
from kefu.workforce.models import WfmPlan
from kefu.workforce.roster import ScheduleResult, schedule_shifts
from kefu.workforce.schedule import Agent, Need, ScheduleProblem
from kefu.workforce.simulate import DayPlan, SimulationConfig, simulate

HISTORY_WEEKS = 16
SIMULATED_DAYS = 20


@dataclass(frozen=True, slots=True)
class PlanParams:
    """What a supervisor chooses for a week's plan (defaults suit web chat)."""

    week_start: date
    interval_minutes: int = 30
    aht_seconds: float = 300.0
    concurrency: int = 2
    target_sl: float = 0.8
    answer_seconds: float = 60.0
    max_occupancy: float = 0.85
    # Unplanned shrinkage only (absence, meetings): breaks are placed by the scheduler.
    shrinkage: float = 0.1
    patience_seconds: float | None = None
    time_limit_seconds: float = 20.0

    def check(self, today: date) -> None:
        if self.week_start.weekday() != 0:
            raise InvalidInput("a plan's week starts on a Monday", code="invalid_week")
        if self.week_start <= today - timedelta(days=7):
            raise InvalidInput("plan a week that has not ended yet", code="invalid_week")
        if self.interval_minutes not in (15, 30, 60):
            raise InvalidInput("the interval is 15, 30 or 60 minutes", code="invalid_interval")
        try:
            self.channel()
            self.targets()
        except ValueError as error:
            raise InvalidInput(str(error), code="invalid_parameters") from None
        if not 1 <= self.time_limit_seconds <= 120:
            raise InvalidInput("the time limit is 1 to 120 s", code="invalid_parameters")

    def channel(self) -> erlang.Channel:
        return erlang.Channel(
            interval_seconds=self.interval_minutes * 60.0,
            aht_seconds=self.aht_seconds,
            patience_seconds=self.patience_seconds,
            concurrency=self.concurrency,
        )

    def targets(self) -> erlang.Targets:
        return erlang.Targets(
            service_level=self.target_sl,
            answer_seconds=self.answer_seconds,
            max_occupancy=self.max_occupancy,
            shrinkage=self.shrinkage,
        )


def requirement(fc: Forecast, params: PlanParams) -> list[tuple[datetime, float, int]]:
    """(interval start, forecast contacts, agents present) per interval: Erlang's agents for
    the targets; none where no contact is expected. Shrinkage is applied to the headcount
    (``headcount``), not per interval, where rounding up would double a one-agent night."""
    channel, targets = params.channel(), params.targets()
    rows = []
    for moment, volume in zip(fc.times(), fc.calls, strict=True):
        contacts = max(0.0, float(volume))
        agents = 0
        if contacts >= 0.05:
            agents = erlang.required_agents(erlang.Workload(contacts, channel), targets).agents
        rows.append((moment, round(contacts, 2), agents))
    return rows


async def _agents(session: AsyncSession, shop_id: int) -> list[Agent]:
    """The shop's active agents, and supervisors of the peak squad (scheduled last)."""
    rows = await session.execute(
        select(User.id, User.name, User.role, AgentState.peak_squad)
        .outerjoin(AgentState, AgentState.user_id == User.id)
        .where(User.shop_id == shop_id, User.is_active.is_(True))
        .order_by(User.id)
    )
    out = []
    for user_id, name, role, peak in rows:
        if role == "agent" or (role == "supervisor" and peak):
            out.append(Agent(id=str(user_id), name=name, peak_squad=bool(peak)))
    return out


def _simulate(fc: Forecast, result: ScheduleResult, params: PlanParams) -> dict[str, Any]:
    staffed = {row.start: row.staffed for row in result.coverage}
    per_day = 24 * 60 // params.interval_minutes
    volumes = [max(0.0, float(v)) for v in fc.calls]
    agents = [staffed.get(t, 0) for t in fc.times()]
    config = SimulationConfig(
        interval_seconds=params.interval_minutes * 60.0,
        aht_seconds=params.aht_seconds,
        answer_seconds=params.answer_seconds,
        patience_seconds=params.patience_seconds,
        concurrency=params.concurrency,
    )
    days = []
    for d in range(len(volumes) // per_day):
        span = slice(d * per_day, (d + 1) * per_day)
        report = simulate(DayPlan(volumes[span], agents[span]), config, days=SIMULATED_DAYS, seed=d)
        total = report.total
        days.append(
            {
                "day": fc.times()[d * per_day].date().isoformat(),
                "service_level": total.service_level,
                "asa_seconds": total.asa_seconds,
                "abandon_rate": total.abandon_rate,
                "occupancy": total.occupancy,
            }
        )
    return {"days": days, "simulated_days_each": SIMULATED_DAYS}


def _solve(fc: Forecast, need: list[tuple[datetime, float, int]], agents: list[Agent],
           params: PlanParams) -> tuple[ScheduleResult, ScheduleResult | None]:  # fmt: skip
    """The roster of the shop's agents; when they cannot cover it, also the anonymous roster
    that says how many agents the week needs."""
    rows = [Need(start=t, agents=a) for t, _, a in need]
    named = schedule_shifts(
        ScheduleProblem(requirement=rows, agents=agents or None),
        time_limit_seconds=params.time_limit_seconds,
    )
    if named.status in ("OPTIMAL", "FEASIBLE") or not agents:
        return named, None
    anonymous = schedule_shifts(
        ScheduleProblem(requirement=rows), time_limit_seconds=params.time_limit_seconds
    )
    return named, anonymous


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


async def create_plan(
    session: AsyncSession, *, actor: Principal, params: PlanParams, now: datetime
) -> WfmPlan:
    """Forecast, staff, roster and simulate the week; store and return the plan. Commits."""
    actor.require(Permission.ANALYTICS_MANAGE)
    shop = await accounts.get_shop(session, actor.shop_id)
    if shop is None:
        raise NotFound("no such shop", code="shop_not_found")
    tz = ZoneInfo(shop.timezone)
    today = now.astimezone(tz).date()
    params.check(today)
    until = datetime.combine(min(today, params.week_start), time(), tz)
    first = await session.scalar(
        select(func.min(Conversation.created_at)).where(
            Conversation.shop_id == actor.shop_id,
            Conversation.created_at >= until - timedelta(weeks=HISTORY_WEEKS),
            Conversation.created_at < until,
        )
    )
    if first is None:
        raise InvalidInput(
            f"no conversations in the {HISTORY_WEEKS} weeks before {until.date()} to forecast from",
            code="no_history",
        )
    # From the first day with conversations: leading empty weeks would read as a shop that
    # was closed, and its real days as spikes.
    since = datetime.combine(as_utc(first).astimezone(tz).date(), time(), tz)
    series = await conversation_history(
        session,
        shop_id=actor.shop_id,
        interval_minutes=params.interval_minutes,
        until=until,
        since=since,
    )
    agents = await _agents(session, actor.shop_id)
    await session.rollback()  # release the connection while the solver works
    week = datetime.combine(params.week_start, time())
    steps_before = int((week - series.end) / timedelta(minutes=params.interval_minutes))
    per_week = 7 * 24 * 60 // params.interval_minutes
    fc_all = await asyncio.to_thread(
        forecast, series, ForecastRequest(steps=steps_before + per_week)
    )
    fc = _week_of(fc_all, steps_before)
    try:
        need = requirement(fc, params)
    except ValueError as error:  # an absurd load for these parameters
        raise InvalidInput(str(error), code="invalid_parameters") from None
    named, anonymous = await asyncio.to_thread(_solve, fc, need, agents, params)
    simulation = await asyncio.to_thread(_simulate, fc, named, params) if named.roster else {}
    plan = _plan_row(actor, params, fc, need, named, anonymous, simulation, now)
    session.add(plan)
    await accounts.record_audit(
        session, actor=actor, action="wfm.plan", target_type="wfm_plan", target_id=None, now=now,
        detail={"week_start": params.week_start.isoformat(), "status": named.status},
    )  # fmt: skip
    await session.commit()
    return plan


def _week_of(fc: Forecast, skip: int) -> Forecast:
    start = fc.start + skip * timedelta(minutes=fc.interval_minutes)
    return Forecast(
        start=start,
        interval_minutes=fc.interval_minutes,
        calls=fc.calls[skip:],
        uplifts=fc.uplifts,
        closed_days=fc.closed_days,
        excluded_days=fc.excluded_days,
        notes=fc.notes,
    )


def _plan_row(
    actor: Principal,
    params: PlanParams,
    fc: Forecast,
    need: list[tuple[datetime, float, int]],
    named: ScheduleResult,
    anonymous: ScheduleResult | None,
    simulation: dict[str, Any],
    now: datetime,
) -> WfmPlan:
    summary = {**named.summary(), "simulation": simulation}
    used = anonymous.agents_used if anonymous is not None else named.agents_used
    summary["headcount_with_shrinkage"] = erlang.agents_with_shrinkage(used, params.shrinkage)
    if anonymous is not None:
        summary["agents_needed"] = anonymous.agents_used
        summary["agents_needed_status"] = anonymous.status
    summary["forecast_notes"] = list(fc.notes)
    summary["uplifts"] = [asdict(u) for u in fc.uplifts]
    return WfmPlan(
        shop_id=actor.shop_id,
        created_by_id=actor.user_id,
        week_start=params.week_start,
        interval_minutes=params.interval_minutes,
        status=named.status,
        params={
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(params).items()
        },
        forecast=[[t.isoformat(), c] for t, c, _ in need],
        requirement=[[t.isoformat(), a] for t, _, a in need],
        roster=[
            {
                "agent": s.agent,
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "break_start": _iso(s.break_start),
                "break_end": _iso(s.break_end),
                "skill": s.skill,
                "template": s.template,
                "peak_squad": s.peak_squad,
                "hours": round(s.hours, 2),
            }
            for s in named.roster
        ],
        coverage=[[r.start.isoformat(), r.required, r.staffed] for r in named.coverage],
        summary=_jsonable(summary),
        created_at=now,
    )


def _jsonable(value: Any) -> Any:
    """JSON columns refuse NaN, infinities and dates: null and ISO text instead."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


async def list_plans(session: AsyncSession, *, actor: Principal, limit: int = 20) -> list[WfmPlan]:
    actor.require(Permission.ANALYTICS_READ)
    rows = await session.scalars(
        select(WfmPlan)
        .where(WfmPlan.shop_id == actor.shop_id)
        .order_by(WfmPlan.id.desc())
        .limit(limit)
    )
    return list(rows)


async def require_plan(session: AsyncSession, *, actor: Principal, plan_id: int) -> WfmPlan:
    actor.require(Permission.ANALYTICS_READ)
    plan = await session.get(WfmPlan, plan_id)
    if plan is None or plan.shop_id != actor.shop_id:
        raise NotFound(f"no plan {plan_id}", code="plan_not_found")
    return plan


async def agent_names(session: AsyncSession, *, shop_id: int) -> dict[str, str]:
    rows = await session.execute(select(User.id, User.name).where(User.shop_id == shop_id))
    return {str(user_id): name for user_id, name in rows}


def _cell(text: str) -> str:
    """A spreadsheet cell that cannot start a formula (names are typed by people)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _hhmm(value: str | None) -> str:
    return "" if not value else datetime.fromisoformat(value).strftime("%H:%M")


def roster_csv(plan: WfmPlan, names: dict[str, str]) -> str:
    """The roster as CSV, one shift a row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["agent", "name", "date", "start", "end", "break_start", "break_end", "hours", "peak_squad"]
    )
    for s in plan.roster:
        start = datetime.fromisoformat(s["start"])
        writer.writerow(
            [
                s["agent"], _cell(names.get(s["agent"], s["agent"])), start.date().isoformat(),
                _hhmm(s["start"]), _hhmm(s["end"]), _hhmm(s["break_start"]),
                _hhmm(s["break_end"]), s["hours"], "yes" if s["peak_squad"] else "no",
            ]
        )  # fmt: skip
    return out.getvalue()


def coverage_csv(plan: WfmPlan) -> str:
    forecast_by = {t: c for t, c in plan.forecast}
    lines = ["interval_start,forecast_contacts,required,staffed"]
    for t, required, staffed in plan.coverage:
        lines.append(f"{t},{forecast_by.get(t, '')},{required},{staffed}")
    return "\n".join(lines) + "\n"
