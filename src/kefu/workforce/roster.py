"""Shift scheduling, stage 2: give stage 1's shifts to agents under the working-time rules, and
the finished schedule (roster, coverage per interval, CSV exports). See docs/scheduling.md."""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import perf_counter

import numpy as np
from ortools.sat.python import cp_model

from kefu.workforce.schedule import (
    SOLVED,
    STAGE1_SHARE,
    WEEKDAYS,
    Agent,
    Grid,
    Limits,
    Rules,
    ScheduleProblem,
    ShiftPlan,
    StageReport,
    build_grid,
    crews_of,
    short_of_agents,
    solve_model,
    solve_stage1,
)


@dataclass(frozen=True)
class Group:
    """Identical shifts of one plan (template, start, skill, crew); breaks differ per shift."""

    day: int
    start: int
    length: int
    template: int
    skill: int
    crew: int
    breaks: tuple[int | None, ...]

    @property
    def count(self) -> int:
        return len(self.breaks)


@dataclass(frozen=True)
class Stage2:
    """The assignment problem: the groups, the agents and which crew each belongs to."""

    grid: Grid
    rules: Rules
    groups: tuple[Group, ...]
    agents: tuple[Agent, ...]
    members: tuple[tuple[int, ...], ...]  # per crew: agent indices
    caps: tuple[int, ...]  # per crew: weekly minutes
    week_shifts: tuple[int, ...]  # per week: shifts allowed (days off, max shifts)

    def begin(self, g: Group) -> int:
        return self.grid.minute(g.start)

    def end(self, g: Group) -> int:
        return self.grid.minute(g.start + g.length)

    def minutes(self, g: Group) -> int:
        return g.length * self.grid.step

    def cap_shifts(self, block: int) -> int:
        return self.week_shifts[block]

    @property
    def rest(self) -> int:
        return round(self.rules.min_rest_hours * 60)


def build_stage2(plan: ShiftPlan, rules: Rules, agents: Sequence[Agent]) -> Stage2:
    """The shifts in groups; named agents keep their crews, anonymous ones form one crew."""
    bucket: dict[tuple[int, int, int, int, int], list[int | None]] = defaultdict(list)
    for c, k, crew, n in plan.shifts:
        bucket[c.start, c.template, k, crew, c.length].extend([c.break_at] * n)
    groups = tuple(
        Group(plan.grid.day(start), start, length, t, k, crew, tuple(breaks))
        for (start, t, k, crew, length), breaks in sorted(bucket.items())
    )
    caps = tuple(c.cap_minutes for c in plan.crews)
    members = tuple(c.members or tuple(range(len(agents))) for c in plan.crews)
    weeks = range(0, plan.grid.days, 7)
    week_shifts = tuple(rules.shifts_cap(min(7, plan.grid.days - first)) for first in weeks)
    return Stage2(plan.grid, rules, groups, tuple(agents), members, caps, week_shifts)


def agents_lower_bound(ctx: Stage2) -> int:
    """Agents needed at least, crew by crew: the busiest day, and each week's shifts and
    hours over what one agent may work."""
    per_day: dict[tuple[int, int], int] = defaultdict(int)
    shifts: dict[tuple[int, int], int] = defaultdict(int)
    minutes: dict[tuple[int, int], int] = defaultdict(int)
    for g in ctx.groups:
        per_day[g.crew, g.day] += g.count
        shifts[g.crew, g.day // 7] += g.count
        minutes[g.crew, g.day // 7] += g.count * ctx.minutes(g)
    bound: dict[int, int] = defaultdict(int)
    for (crew, _), n in per_day.items():
        bound[crew] = max(bound[crew], n)
    for (crew, block), n in shifts.items():
        cap, hours = ctx.cap_shifts(block), ctx.caps[crew]
        need = max(math.ceil(n / cap), math.ceil(minutes[crew, block] / hours))
        bound[crew] = max(bound[crew], need)
    return sum(bound.values())


class _Load:
    """One agent's shifts so far in the greedy pass."""

    def __init__(self) -> None:
        self.last_end: int | None = None
        self.days: set[int] = set()
        self.shifts: dict[int, int] = defaultdict(int)
        self.minutes: dict[int, int] = defaultdict(int)


def _fits(ctx: Stage2, load: _Load, g: Group) -> bool:
    block = g.day // 7
    return (
        g.day not in load.days
        and load.shifts[block] < ctx.cap_shifts(block)
        and load.minutes[block] + ctx.minutes(g) <= ctx.caps[g.crew]
        and (load.last_end is None or ctx.begin(g) >= load.last_end + ctx.rest)
    )


def _slack(ctx: Stage2, a: int, load: _Load, day: int) -> int:
    """Days ``a`` could still work this week minus shifts still allowed: 0 = must work daily."""
    block = day // 7
    last = min(ctx.grid.days, 7 * block + 7)
    open_days = sum(
        1 for d in range(day, last) if ctx.grid.weekday(d) in ctx.agents[a].days_available
    )
    return open_days - (ctx.cap_shifts(block) - load.shifts[block])


def greedy(ctx: Stage2) -> list[list[int]]:
    """Day by day, earliest shifts first, give each shift to the crew member with the least
    slack who fits (day off, weekly caps, rest). Shifts nobody fits stay unassigned."""
    loads = [_Load() for _ in ctx.agents]
    taken: list[list[int]] = [[] for _ in ctx.groups]
    free: list[list[int]] = []  # per crew: who has no shift yet today, least slack first
    day = -1
    for gi in sorted(range(len(ctx.groups)), key=lambda i: (ctx.begin(ctx.groups[i]), i)):
        g = ctx.groups[gi]
        if g.day != day:
            day = g.day
            free = [
                sorted(crew, key=lambda a: (_slack(ctx, a, loads[a], day), a))
                for crew in ctx.members
            ]
        queue = free[g.crew]
        for _ in range(g.count):
            pick = next((i for i, a in enumerate(queue) if _fits(ctx, loads[a], g)), None)
            if pick is None:
                break
            a = queue.pop(pick)
            load = loads[a]
            load.days.add(g.day)
            load.shifts[g.day // 7] += 1
            load.minutes[g.day // 7] += ctx.minutes(g)
            load.last_end = ctx.end(g)
            taken[gi].append(a)
    return taken


def missing(ctx: Stage2, taken: Sequence[Sequence[int]]) -> int:
    return sum(g.count - len(who) for g, who in zip(ctx.groups, taken, strict=True))


def assign(
    ctx: Stage2, hint: list[list[int]], limits: Limits
) -> tuple[StageReport, list[list[int]]]:
    """Every shift to a member of its crew, using as few agents as possible. ``hint`` (the
    greedy answer) is kept, proven optimal, when it reaches the lower bound."""
    used = len({a for who in hint for a in who})
    if not missing(ctx, hint) and used <= agents_lower_bound(ctx):
        return StageReport("OPTIMAL", 0.0, float(used), float(used)), hint
    model, x, objective = _model(ctx)
    for (a, gi), var in x.items():
        model.add_hint(var, a in hint[gi])
    solver, status, elapsed = solve_model(model, objective, limits)
    if status not in SOLVED:
        return StageReport(status, elapsed), []
    report = StageReport(status, elapsed, solver.objective_value, solver.best_objective_bound)
    taken: list[list[int]] = [[] for _ in ctx.groups]
    for (a, gi), var in x.items():
        if solver.boolean_value(var):
            taken[gi].append(a)
    return report, taken


def _model(
    ctx: Stage2,
) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar], list[cp_model.IntVar]]:
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    mine: dict[int, list[tuple[Group, cp_model.IntVar]]] = defaultdict(list)
    for gi, g in enumerate(ctx.groups):
        for a in ctx.members[g.crew]:
            x[a, gi] = var = model.new_bool_var("")
            mine[a].append((g, var))
        model.add(sum(x[a, gi] for a in ctx.members[g.crew]) == g.count)
    used = [model.new_bool_var("") for _ in ctx.agents]
    for a, items in mine.items():
        _agent_rules(model, ctx, items, used[a])
    for crew in ctx.members:  # members of a crew are interchangeable: use them in order
        for a, b in itertools.pairwise(crew):
            model.add(used[a] >= used[b])
    return model, x, used


def _agent_rules(
    model: cp_model.CpModel,
    ctx: Stage2,
    items: Sequence[tuple[Group, cp_model.IntVar]],
    used: cp_model.IntVar,
) -> None:
    """One shift a day, shifts and hours per week, and the minimum rest between shifts."""
    by_day: dict[int, list[tuple[Group, cp_model.IntVar]]] = defaultdict(list)
    for g, var in items:
        by_day[g.day].append((g, var))
    for day_items in by_day.values():
        model.add(sum(v for _, v in day_items) <= used)
    for block in {day // 7 for day in by_day}:
        week = [(g, v) for g, v in items if g.day // 7 == block]
        model.add(sum(v for _, v in week) <= ctx.cap_shifts(block) * used)
        model.add(sum(ctx.minutes(g) * v for g, v in week) <= ctx.caps[week[0][0].crew] * used)
    for day, today in by_day.items():
        latest = max(ctx.end(g) for g, _ in today) + ctx.rest
        later = day + 1
        while later * 1440 < latest:
            if later in by_day:
                _rest_cliques(model, ctx, today, by_day[later])
            later += 1


def _rest_cliques(
    model: cp_model.CpModel,
    ctx: Stage2,
    today: Sequence[tuple[Group, cp_model.IntVar]],
    later: Sequence[tuple[Group, cp_model.IntVar]],
) -> None:
    """For each end time e: a shift ending at or after e today excludes, on the later day,
    every shift starting before e + rest (both sides already hold at most one shift)."""
    for end in sorted({ctx.end(g) for g, _ in today}):
        after = [v for g, v in today if ctx.end(g) >= end]
        clash = [v for g, v in later if ctx.begin(g) < end + ctx.rest]
        if clash:
            model.add_at_most_one(after + clash)


def shortages(ctx: Stage2, taken: Sequence[Sequence[int]]) -> list[str]:
    """Where the greedy pass found no agent: days and skills, with the crews' sizes."""
    lost: dict[tuple[int, int], int] = defaultdict(int)
    for g, who in zip(ctx.groups, taken, strict=True):
        lost[g.day, g.skill] += g.count - len(who)
    lines = []
    for (day, k), n in sorted(lost.items()):
        if n:
            skill = ctx.grid.skills[k]
            lines.append(
                f"{WEEKDAYS[ctx.grid.weekday(day)]} {ctx.grid.at(0).date() + timedelta(days=day)}"
                f"{' ' + skill if skill else ''}: {n} shifts found no agent within availability,"
                " days off, rest and weekly hours"
            )
    return lines


@dataclass(frozen=True)
class RosterShift:
    """One agent's shift. ``hours`` counts the whole shift, break included (staffed hours)."""

    agent: str
    start: datetime
    end: datetime
    break_start: datetime | None
    break_end: datetime | None
    skill: str | None
    template: str
    peak_squad: bool = False

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class CoverageRow:
    start: datetime
    skill: str | None
    required: int
    staffed: int


@dataclass(frozen=True)
class ScheduleResult:
    """A solved (or not) schedule. ``status`` combines both stages: OPTIMAL when each stage
    proved its own objective optimal, FEASIBLE when a roster exists, else INFEASIBLE/UNKNOWN
    (then ``roster`` is empty and ``problems`` says what is short)."""

    status: str
    roster: tuple[RosterShift, ...]
    coverage: tuple[CoverageRow, ...]
    agents_used: int
    agents_lower_bound: int | None
    staffed_hours: float
    present_hours: float
    required_hours: float
    min_coverage: float | None
    solve_seconds: float
    interval_minutes: int
    stage1: StageReport
    stage2: StageReport | None
    problems: tuple[str, ...] = ()

    def summary(self) -> dict[str, object]:
        """The figures of ``kefu wfm schedule --json`` (a public interface)."""
        s1 = self.stage1
        gap = None
        if s1.objective and s1.bound is not None:
            gap = round((s1.objective - s1.bound) / s1.objective, 6)
        return {
            "status": self.status,
            "agents_used": self.agents_used,
            "staffed_hours": round(self.staffed_hours, 2),
            "required_hours": round(self.required_hours, 2),
            "min_coverage": None if self.min_coverage is None else round(self.min_coverage, 4),
            "solve_seconds": round(self.solve_seconds, 2),
            "present_hours": round(self.present_hours, 2),
            "agents_lower_bound": self.agents_lower_bound,
            "shifts": len(self.roster),
            "peak_squad_shifts": sum(1 for s in self.roster if s.peak_squad),
            "intervals": len(self.coverage),
            "interval_minutes": self.interval_minutes,
            "objective": None if s1.objective is None else round(s1.objective, 2),
            "objective_bound": None if s1.bound is None else round(s1.bound, 2),
            "gap": gap,
            "stages": [_stage(s1), None if self.stage2 is None else _stage(self.stage2)],
            "problems": list(self.problems),
        }


def _stage(report: StageReport) -> dict[str, object]:
    return {
        "status": report.status,
        "seconds": round(report.seconds, 2),
        "objective": report.objective,
        "bound": report.bound,
    }


def schedule_shifts(
    problem: ScheduleProblem, *, time_limit_seconds: float = 60.0, workers: int = 2
) -> ScheduleResult:
    """Solve ``problem`` in two CP-SAT stages within about ``time_limit_seconds``.

    Raises ScheduleInputError when the input cannot describe a schedule (bad rows, templates
    that cannot reach some interval); an unstaffable requirement is a result, not an error."""
    started = perf_counter()
    grid = build_grid(problem.requirement)
    crews = crews_of(grid, problem.agents, problem.rules)
    budget = time_limit_seconds * STAGE1_SHARE
    plan = solve_stage1(
        grid, tuple(problem.templates), crews, problem.rules, Limits(budget, workers)
    )
    if plan.report.status not in SOLVED:
        problems = [_LATE] if plan.report.status == "UNKNOWN" else [_RULES]
        if plan.report.status == "INFEASIBLE" and problem.agents is not None:
            problems = short_of_agents(grid, crews)
        return _finish(plan, None, started, problems)
    if problem.agents is None:
        ctx, hint = _anonymous(plan, problem.rules)
    else:
        ctx = build_stage2(plan, problem.rules, problem.agents)
        hint = greedy(ctx)
    left = time_limit_seconds - (perf_counter() - started)
    report, taken = assign(ctx, hint, Limits(max(1.0, left), workers))
    problems = [] if report.status in SOLVED else shortages(ctx, hint) or [_SHORT]
    if report.status == "UNKNOWN":
        problems.append(_LATE)
    return _finish(plan, _Assigned(ctx, report, taken), started, problems)


_SHORT = "no assignment satisfies availability, days off, rest and weekly hours"
_RULES = "the working-time rules allow no shifts that cover the requirement"
_LATE = "no schedule found within the time limit: allow more time"


def _anonymous(plan: ShiftPlan, rules: Rules) -> tuple[Stage2, list[list[int]]]:
    """As many anonymous agents as stage 1 counted, more if the greedy pass needs them."""
    count = plan.crew_sizes[0]
    while True:
        skills = plan.crews[0].profile.skills
        agents = [Agent(f"agent-{i + 1}", skills=skills) for i in range(count)]
        ctx = build_stage2(plan, rules, agents)
        count = max(count, agents_lower_bound(ctx))
        if count > len(agents):
            continue
        hint = greedy(ctx)
        if not (short := missing(ctx, hint)):
            return ctx, hint
        count += short


@dataclass(frozen=True)
class _Assigned:
    """Stage 2's outcome: who took which group (empty unless ``report`` is solved)."""

    ctx: Stage2
    report: StageReport
    taken: list[list[int]]


def _finish(
    plan: ShiftPlan, assigned: _Assigned | None, started: float, problems: Sequence[str]
) -> ScheduleResult:
    grid = plan.grid
    ctx = None if assigned is None else assigned.ctx
    report = None if assigned is None else assigned.report
    solved = assigned is not None and assigned.report.status in SOLVED
    roster = _roster(plan, assigned.ctx, assigned.taken) if assigned and solved else []
    staffed = np.zeros_like(grid.demand)
    for _, (k, start, length, pause, pause_length) in roster:
        staffed[k, start : start + length] += 1
        staffed[k, start + pause : start + pause + pause_length] -= 1
    demand = grid.demand
    ratios = staffed[demand > 0] / demand[demand > 0]
    coverage = tuple(
        CoverageRow(grid.at(slot), skill, int(demand[k, slot]), int(staffed[k, slot]))
        for slot in range(grid.size)
        for k, skill in enumerate(grid.skills)
    )
    statuses = {plan.report.status, "OPTIMAL" if report is None else report.status}
    status = next(s for s in ("INFEASIBLE", "UNKNOWN", "MODEL_INVALID", "FEASIBLE", "OPTIMAL")
                  if s in statuses)  # fmt: skip
    shifts = tuple(shift for shift, _ in roster)
    return ScheduleResult(
        status=status,
        roster=shifts,
        coverage=coverage,
        agents_used=len({s.agent for s in shifts}),
        agents_lower_bound=None if ctx is None else agents_lower_bound(ctx),
        staffed_hours=sum(s.hours for s in shifts),
        present_hours=float(staffed.sum()) * grid.step / 60,
        required_hours=float(demand.sum()) * grid.step / 60,
        min_coverage=float(ratios.min()) if ratios.size else None,
        solve_seconds=perf_counter() - started,
        interval_minutes=grid.step,
        stage1=plan.report,
        stage2=report,
        problems=tuple(problems),
    )


def _roster(
    plan: ShiftPlan, ctx: Stage2, taken: Sequence[Sequence[int]]
) -> list[tuple[RosterShift, tuple[int, int, int, int, int]]]:
    """The shifts with, for coverage: skill, first interval, length, break offset, break length."""
    grid, rows = plan.grid, []
    for g, who in zip(ctx.groups, taken, strict=True):
        template = plan.templates[g.template]
        for a, pause in zip(sorted(who), g.breaks, strict=True):
            agent = ctx.agents[a]
            begin = None if pause is None else grid.at(g.start + pause)
            finish = None if begin is None else begin + timedelta(minutes=template.break_minutes)
            shift = RosterShift(
                agent.id, grid.at(g.start), grid.at(g.start + g.length), begin, finish,
                grid.skills[g.skill], template.name, agent.peak_squad,
            )  # fmt: skip
            pause_length = 0 if pause is None else template.break_minutes // grid.step
            rows.append((shift, (g.skill, g.start, g.length, pause or 0, pause_length)))
    rows.sort(key=lambda row: (row[0].start, row[0].agent))
    return rows


def roster_csv(result: ScheduleResult) -> str:
    """agent,date,start,end,break_start,break_end,skill,hours (times ISO 8601, local wall clock)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["agent", "date", "start", "end", "break_start", "break_end", "skill", "hours"])
    for s in result.roster:
        writer.writerow([
            s.agent, s.start.date().isoformat(), _iso(s.start), _iso(s.end),
            _iso(s.break_start), _iso(s.break_end), s.skill or "", f"{s.hours:g}",
        ])  # fmt: skip
    return out.getvalue()


def coverage_csv(result: ScheduleResult) -> str:
    """interval_start,skill,required,staffed: one row per interval (and skill)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["interval_start", "skill", "required", "staffed"])
    for row in result.coverage:
        writer.writerow([_iso(row.start), row.skill or "", row.required, row.staffed])
    return out.getvalue()


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="minutes")
