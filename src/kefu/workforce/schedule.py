"""Shift scheduling, stage 1: the problem types and the CP-SAT model that picks how many shifts
of each template start when (and where their breaks go) to cover the requirement.

Stage 2 (giving the shifts to agents) and the exports live in ``kefu.workforce.roster``; the
whole method is described in docs/scheduling.md. Pure: no database, no web, no clock.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import pairwise

import numpy as np
from ortools.sat.python import cp_model

from kefu.shared.errors import InvalidInput

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SOLVED = ("OPTIMAL", "FEASIBLE")
STAGE1_SHARE = 0.5  # of the time limit; stage 2 mostly ends at once (docs/scheduling.md)
PEAK_WEIGHT = 100  # a peak-squad hour costs as much as this many regular hours


class ScheduleInputError(InvalidInput):
    """The requirement, templates or agents cannot describe a schedulable problem."""

    code = "schedule_input"


@dataclass(frozen=True)
class Need:
    """One row of the requirement: ``agents`` must be present from ``start`` for one interval."""

    start: datetime
    agents: int
    skill: str | None = None


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift. Times of day are wall-clock; a start window may wrap past midnight.

    ``length_minutes`` is the whole shift including the break; the break begins between
    ``break_after_min`` and ``break_after_max`` minutes after the start."""

    name: str
    length_minutes: int
    earliest_start: time = time(0, 0)
    latest_start: time = time(23, 59)
    break_minutes: int = 0
    break_after_min: int = 0
    break_after_max: int = 0
    start_every_minutes: int | None = None  # None: every 30 min (or the interval, if longer)


DEFAULT_TEMPLATES = (
    ShiftTemplate("full-8h", 480, break_minutes=30, break_after_min=180, break_after_max=300),
    ShiftTemplate("part-4h", 240),
)


@dataclass(frozen=True)
class Agent:
    """Someone who can be rostered. ``days_available`` are weekday numbers (Mon = 0); a shift
    must start at or after ``earliest_start`` and end by ``latest_end`` (None: no limit; a
    ``latest_end`` at or before ``earliest_start`` means the next day). ``max_hours_week``
    None takes the rules' default."""

    id: str
    name: str = ""
    skills: frozenset[str] = frozenset()
    max_hours_week: float | None = None
    days_available: frozenset[int] = frozenset(range(7))
    earliest_start: time = time(0, 0)
    latest_end: time | None = None
    peak_squad: bool = False


@dataclass(frozen=True)
class Rules:
    """Working-time rules for every agent. Weeks are blocks of 7 days from the first day."""

    min_days_off: int = 2
    max_shifts_week: int = 5
    min_rest_hours: float = 11.0
    max_hours_week: float = 40.0

    def shifts_cap(self, block_days: int) -> int:
        return max(0, min(self.max_shifts_week, 7 - self.min_days_off, block_days))


@dataclass(frozen=True)
class ScheduleProblem:
    """Everything to schedule. ``agents`` None: anonymous agents, as few as the rules allow."""

    requirement: Sequence[Need]
    templates: Sequence[ShiftTemplate] = DEFAULT_TEMPLATES
    agents: Sequence[Agent] | None = None
    rules: Rules = field(default_factory=Rules)


@dataclass(frozen=True)
class Grid:
    """The requirement on a regular grid of ``step``-minute intervals (missing ones need 0)."""

    origin: datetime
    step: int
    skills: tuple[str | None, ...]
    demand: np.ndarray  # (skill, interval) -> agents required

    @property
    def size(self) -> int:
        return int(self.demand.shape[1])

    def minute(self, slot: int) -> int:
        """Minutes from midnight of the first day to the start of ``slot``."""
        return self.origin.hour * 60 + self.origin.minute + slot * self.step

    def day(self, slot: int) -> int:
        return self.minute(slot) // 1440

    def weekday(self, day: int) -> int:
        return (self.origin.weekday() + day) % 7

    def at(self, slot: int) -> datetime:
        return self.origin + timedelta(minutes=slot * self.step)

    @property
    def days(self) -> int:
        return self.day(self.size - 1) + 1


@dataclass(frozen=True)
class Candidate:
    """A possible shift: template index, first interval, length and break, in intervals."""

    template: int
    start: int
    length: int
    break_at: int | None = None  # intervals after the start
    break_length: int = 0

    def present(self) -> list[int]:
        """The intervals in which the agent is at work (on shift and not on break)."""
        if self.break_at is None:
            return list(range(self.start, self.start + self.length))
        gap = range(self.start + self.break_at, self.start + self.break_at + self.break_length)
        return [s for s in range(self.start, self.start + self.length) if s not in gap]


@dataclass(frozen=True)
class StageReport:
    """How one solver stage ended; ``objective`` and ``bound`` in that stage's unit."""

    status: str
    seconds: float
    objective: float | None = None
    bound: float | None = None


@dataclass(frozen=True)
class Limits:
    """How long one solver call may run, and on how many CP-SAT worker threads."""

    seconds: float
    workers: int = 2


@dataclass(frozen=True)
class Crew:
    """Interchangeable agents: one ``profile``; ``members`` index the agents list. The
    anonymous crew has no members: stage 1 chooses how many it needs."""

    profile: Agent
    cap_minutes: int
    members: tuple[int, ...] = ()


@dataclass(frozen=True)
class ShiftPlan:
    """Stage 1's answer: ``count`` shifts of ``candidate`` on skill ``skill`` for ``crew``."""

    grid: Grid
    templates: tuple[ShiftTemplate, ...]
    crews: tuple[Crew, ...]
    shifts: tuple[tuple[Candidate, int, int, int], ...]  # candidate, skill, crew, count
    report: StageReport
    crew_sizes: tuple[int, ...] = ()


def minutes_of(value: time) -> int:
    return value.hour * 60 + value.minute


def build_grid(requirement: Sequence[Need]) -> Grid:
    """Check the requirement and lay it on a regular grid; raises ScheduleInputError."""
    if not requirement:
        raise ScheduleInputError("the requirement has no rows")
    skills = sorted({n.skill for n in requirement}, key=lambda s: s or "")
    if len(skills) > 1 and None in skills:
        raise ScheduleInputError("either every requirement row names a skill or none does")
    if len({n.start.tzinfo is None for n in requirement}) > 1:
        raise ScheduleInputError("mixed time-zone-aware and naive interval starts")
    for need in requirement:
        if need.agents < 0:
            raise ScheduleInputError(f"negative agents ({need.agents}) at {need.start}")
    starts = sorted({n.start for n in requirement})
    gaps = [int((b - a).total_seconds()) for a, b in pairwise(starts)]
    step_seconds = min(gaps) if gaps else 1800
    if step_seconds % 60 or 86400 % step_seconds:
        raise ScheduleInputError(
            f"irregular intervals: {step_seconds} s between starts does not divide a day"
        )
    for a, b in pairwise(starts):
        if (b - a).total_seconds() % step_seconds:
            raise ScheduleInputError(f"irregular intervals: {b} is off the {a} grid")
    step = step_seconds // 60
    size = int((starts[-1] - starts[0]).total_seconds()) // step_seconds + 1
    demand = np.zeros((len(skills), size), dtype=np.int64)
    index = {s: i for i, s in enumerate(skills)}
    seen: set[tuple[datetime, str | None]] = set()
    for need in requirement:
        if (need.start, need.skill) in seen:
            raise ScheduleInputError(f"two rows for {need.start} ({need.skill or 'no skill'})")
        seen.add((need.start, need.skill))
        slot = int((need.start - starts[0]).total_seconds()) // step_seconds
        demand[index[need.skill], slot] = need.agents
    return Grid(starts[0], step, tuple(skills), demand)


def _check_template(t: ShiftTemplate, step: int) -> None:
    def bad(why: str) -> ScheduleInputError:
        return ScheduleInputError(f"template {t.name!r}: {why}")

    for label, value in (("length", t.length_minutes), ("break", t.break_minutes)):
        if value < 0 or value % step:
            raise bad(f"{label} {value} min is not a multiple of the {step}-min interval")
    if t.length_minutes == 0:
        raise bad("length must be positive")
    if t.break_minutes and not (
        0 < t.break_after_min <= t.break_after_max
        and t.break_after_max + t.break_minutes < t.length_minutes
    ):
        raise bad("break window must lie inside the shift (0 < after_min <= after_max)")
    if t.start_every_minutes is not None and (
        t.start_every_minutes <= 0 or t.start_every_minutes % step
    ):
        raise bad(f"start_every {t.start_every_minutes} min is not a multiple of {step} min")


def _in_window(minute_of_day: int, earliest: time, latest: time) -> bool:
    lo, hi = minutes_of(earliest), minutes_of(latest)
    if lo <= hi:
        return lo <= minute_of_day <= hi
    return minute_of_day >= lo or minute_of_day <= hi


def candidates(grid: Grid, templates: Sequence[ShiftTemplate]) -> list[Candidate]:
    """Every shift that fits in the horizon, starts in its template's window and would be
    present in at least one interval that needs someone."""
    busy = grid.demand.sum(axis=0) > 0
    found: list[Candidate] = []
    for index, t in enumerate(templates):
        _check_template(t, grid.step)
        length = t.length_minutes // grid.step
        every = t.start_every_minutes or -(-30 // grid.step) * grid.step
        breaks: list[int | None] = [None]
        if t.break_minutes:
            first = -(-t.break_after_min // grid.step)
            breaks = list(range(first, t.break_after_max // grid.step + 1))
        for start in range(grid.size - length + 1):
            minute = grid.minute(start)
            if minute % every or not _in_window(minute % 1440, t.earliest_start, t.latest_start):
                continue
            for at in breaks:
                c = Candidate(index, start, length, at, t.break_minutes // grid.step)
                if busy[c.present()].any():
                    found.append(c)
    return found


def _check_coverable(grid: Grid, found: Sequence[Candidate]) -> None:
    reach = np.zeros(grid.size, dtype=bool)
    for c in found:
        reach[c.present()] = True
    for k, skill in enumerate(grid.skills):
        short = np.flatnonzero((grid.demand[k] > 0) & ~reach)
        if short.size:
            label = f" ({skill})" if skill else ""
            raise ScheduleInputError(
                f"no shift template can cover {grid.at(int(short[0]))}{label}"
                f" ({short.size} such intervals): templates do not fit the requirement hours"
            )


def can_work(grid: Grid, crew: Crew, start: int, length: int, skill: int) -> bool:
    """Skill, weekday, daily window and weekly hours: may ``crew`` take this shift?"""
    agent, name, day = crew.profile, grid.skills[skill], grid.day(start)
    if (name is not None and name not in agent.skills) or length * grid.step > crew.cap_minutes:
        return False
    begin, low = grid.minute(start) - day * 1440, minutes_of(agent.earliest_start)
    if grid.weekday(day) not in agent.days_available or begin < low:
        return False
    if agent.latest_end is None:
        return True
    high = minutes_of(agent.latest_end)
    high += 1440 if high <= low else 0
    return begin + length * grid.step <= high


def crews_of(grid: Grid, agents: Sequence[Agent] | None, rules: Rules) -> tuple[Crew, ...]:
    """Agents grouped by what matters to the rules; None gives one anonymous crew."""

    def cap(hours: float | None) -> int:
        return round(60 * (rules.max_hours_week if hours is None else hours))

    if agents is None:
        everyone = frozenset(s for s in grid.skills if s is not None)
        return (Crew(Agent("agent", skills=everyone), cap(None)),)
    if len({a.id for a in agents}) != len(agents):
        raise ScheduleInputError("agent ids must be unique")
    wanted = frozenset(s for s in grid.skills if s is not None)
    members: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for i, a in enumerate(agents):
        if a.max_hours_week is not None and a.max_hours_week < 0:
            raise ScheduleInputError(f"agent {a.id}: negative max_hours_week")
        key = (a.skills & wanted, a.days_available, a.earliest_start, a.latest_end,
               cap(a.max_hours_week), a.peak_squad)  # fmt: skip
        members[key].append(i)
    return tuple(
        Crew(agents[ids[0]], cap(agents[ids[0]].max_hours_week), tuple(ids))
        for ids in members.values()
    )


@dataclass
class _Stage1:
    """The stage-1 model: shifts per candidate (``n``, with its break) and per crew (``y``,
    by start), and the expressions its phases minimise, in intervals."""

    model: cp_model.CpModel
    n: list[tuple[Candidate, int, cp_model.IntVar]]
    y: list[tuple[Candidate, int, int, cp_model.IntVar]]
    sizes: list[cp_model.IntVar | int]
    peak: list[cp_model.LinearExprT]
    hours: list[cp_model.LinearExprT]


def _stage1_model(
    grid: Grid, found: Sequence[Candidate], crews: Sequence[Crew], rules: Rules
) -> _Stage1:
    model = cp_model.CpModel()
    top_agents = int(grid.demand.sum()) + 1
    sizes: list[cp_model.IntVar | int] = [
        len(c.members) if c.members else model.new_int_var(0, top_agents, "agents") for c in crews
    ]
    built = _Stage1(model, [], [], sizes, [], [])
    terms: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    by_start: dict[tuple[int, int, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    for c in found:
        present = c.present()
        for k in range(len(grid.skills)):
            top = int(grid.demand[k, present].max())
            if top:
                var = model.new_int_var(0, top, "")
                built.n.append((c, k, var))
                by_start[c.template, c.start, k].append((var, top))
                for slot in present:
                    terms[k, slot].append(var)
    for k in range(len(grid.skills)):
        for where in np.flatnonzero(grid.demand[k] > 0):
            model.add(sum(terms[k, int(where)]) >= int(grid.demand[k, where]))
    length = {c.template: c.length for c in found}
    for (t, start, k), shifts in by_start.items():
        top = sum(most for _, most in shifts)
        crew_vars = []
        for ci, crew in enumerate(crews):
            limit = min(top, len(crew.members)) if crew.members else top
            if limit and can_work(grid, crew, start, length[t], k):
                var = model.new_int_var(0, limit, "")
                built.y.append((Candidate(t, start, length[t]), k, ci, var))
                crew_vars.append(var)
                built.hours.append(length[t] * var)
                if crew.profile.peak_squad:
                    built.peak.append(length[t] * var)
        model.add(sum(v for v, _ in shifts) == sum(crew_vars))
    _crew_limits(built, grid, crews, rules)
    return built


def _crew_limits(built: _Stage1, grid: Grid, crews: Sequence[Crew], rules: Rules) -> None:
    """Per crew: one shift per agent a day, and per week the shifts and hours allowed."""
    days: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    weeks: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for c, _, ci, var in built.y:
        days[ci, grid.day(c.start)].append(var)
        weeks[ci, grid.day(c.start) // 7].append((c.length * grid.step, var))
    for (ci, _), vars_ in days.items():
        built.model.add(sum(vars_) <= built.sizes[ci])
    for (ci, block), items in weeks.items():
        crew, size = crews[ci], built.sizes[ci]
        open_days = sum(
            1
            for d in range(7 * block, min(grid.days, 7 * block + 7))
            if grid.weekday(d) in crew.profile.days_available
        )
        shifts = min(open_days, rules.shifts_cap(min(7, grid.days - 7 * block)))
        built.model.add(sum(v for _, v in items) <= shifts * size)
        built.model.add(sum(m * v for m, v in items) <= crew.cap_minutes * size)
    _crew_rest(built, grid, rules)


def _crew_rest(built: _Stage1, grid: Grid, rules: Rules) -> None:
    """Per crew and pair of days: nobody ending at or after e starts the next day before
    e + rest, so those shifts together need distinct agents of the crew."""
    rest = round(rules.min_rest_hours * 60)
    by_day: dict[tuple[int, int], list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
    for c, _, ci, var in built.y:
        begin = grid.minute(c.start)
        by_day[ci, grid.day(c.start)].append((begin, begin + c.length * grid.step, var))
    for (ci, day), today in by_day.items():
        tomorrow = by_day.get((ci, day + 1), [])
        for end in sorted({e for _, e, _ in today}):
            clash = [v for b, _, v in tomorrow if b < end + rest]
            if clash:
                after = [v for _, e, v in today if e >= end]
                built.model.add(sum(after) + sum(clash) <= built.sizes[ci])


def solve_stage1(
    grid: Grid,
    templates: tuple[ShiftTemplate, ...],
    crews: tuple[Crew, ...],
    rules: Rules,
    limits: Limits,
) -> ShiftPlan:
    """Shifts covering every interval with the fewest staffed hours, a peak-squad hour
    counting ``PEAK_WEIGHT`` hours; then, for anonymous agents, the fewest agents."""
    if not templates:
        raise ScheduleInputError("no shift templates")
    found = candidates(grid, templates)
    _check_coverable(grid, found)
    built = _stage1_model(grid, found, crews, rules)
    sizes = [s for s in built.sizes if isinstance(s, cp_model.IntVar)]
    objective = built.hours + [(PEAK_WEIGHT - 1) * e for e in built.peak]
    share = 0.8 if sizes else 1.0
    first = Limits(limits.seconds * share, limits.workers)
    solver, status, elapsed = solve_model(built.model, objective, first)
    if status not in SOLVED:
        return ShiftPlan(grid, templates, crews, (), StageReport(status, elapsed))
    scale = grid.step / 60
    hours = (solver.objective_value * scale, solver.best_objective_bound * scale)
    proven = status == "OPTIMAL"
    if sizes:
        solver, more, extra = _fewest_agents(
            built, solver, objective, sizes, Limits(limits.seconds - elapsed, limits.workers)
        )
        proven, elapsed = proven and more, elapsed + extra
    shifts = _split_by_crew(built, solver)
    counts = tuple(int(solver.value(s)) if isinstance(s, cp_model.IntVar) else s
                   for s in built.sizes)  # fmt: skip
    report = StageReport("OPTIMAL" if proven else "FEASIBLE", elapsed, *hours)
    return ShiftPlan(grid, templates, crews, shifts, report, counts)


def _fewest_agents(
    built: _Stage1,
    first: cp_model.CpSolver,
    objective: list[cp_model.LinearExprT],
    sizes: list[cp_model.IntVar],
    limits: Limits,
) -> tuple[cp_model.CpSolver, bool, float]:
    """Keep the staffed hours found and minimise the anonymous crew; (solver, proven, time)."""
    built.model.add(sum(objective) <= round(first.objective_value))
    for var in [v for *_, v in built.n] + [v for *_, v in built.y]:
        built.model.add_hint(var, first.value(var))
    solver, status, elapsed = solve_model(built.model, sizes, limits)
    if status not in SOLVED:
        return first, False, elapsed
    return solver, status == "OPTIMAL", elapsed


def _split_by_crew(
    built: _Stage1, solver: cp_model.CpSolver
) -> tuple[tuple[Candidate, int, int, int], ...]:
    """Hand each start's shifts (whatever their breaks) to the crews that take that start."""
    crews: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for c, k, ci, var in built.y:
        crews[c.template, c.start, k].extend([ci] * int(solver.value(var)))
    counts: dict[tuple[Candidate, int, int], int] = defaultdict(int)
    for c, k, var in built.n:
        for _ in range(int(solver.value(var))):
            counts[c, k, crews[c.template, c.start, k].pop()] += 1
    return tuple((c, k, ci, n) for (c, k, ci), n in counts.items())


def short_of_agents(grid: Grid, crews: Sequence[Crew]) -> list[str]:
    """Why named agents cannot cover the requirement: days and skills needing more agents
    at once than are available that day, and hours beyond what all may work."""
    lines = []
    for day in range(grid.days):
        slots = [s for s in range(grid.size) if grid.day(s) == day]
        for k, skill in enumerate(grid.skills):
            peak = int(grid.demand[k, slots].max()) if slots else 0
            have = sum(
                len(c.members)
                for c in crews
                if grid.weekday(day) in c.profile.days_available
                and (skill is None or skill in c.profile.skills)
            )
            if peak > have:
                date = (grid.origin + timedelta(days=day)).date()
                label = f" {skill}" if skill else ""
                lines.append(
                    f"{WEEKDAYS[grid.weekday(day)]} {date}{label}: {peak} agents needed at once,"
                    f" {have} available"
                )
    required = float(grid.demand.sum()) * grid.step / 60
    weeks = -(-grid.days // 7)
    allowed = sum(c.cap_minutes * len(c.members) for c in crews) * weeks / 60
    lines.append(f"{required:.1f} agent-hours required; the agents may work {allowed:.1f} h")
    return lines


def solve_model(
    model: cp_model.CpModel,
    objective: Sequence[cp_model.LinearExprT],
    limits: Limits,
) -> tuple[cp_model.CpSolver, str, float]:
    """Minimise ``objective`` with a fixed seed (repeatable); the status is CP-SAT's name."""
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, limits.seconds)
    solver.parameters.num_workers = max(1, limits.workers)
    solver.parameters.random_seed = 7
    started = clock.perf_counter()
    status = solver.solve(model)
    return solver, solver.status_name(status), clock.perf_counter() - started
