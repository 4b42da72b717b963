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

import numpy as np
from ortools.sat.python import cp_model

from kefu.shared.errors import InvalidInput

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}
STAGE1_SHARE = 0.4  # of the time limit; stage 1 usually proves optimality far sooner


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
        return self.day(self.size) + 1


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
    status: str
    seconds: float
    objective: float | None = None
    bound: float | None = None


@dataclass(frozen=True)
class ShiftPlan:
    """Stage 1's answer: ``count`` shifts of ``candidate`` working skill number ``skill``."""

    grid: Grid
    templates: tuple[ShiftTemplate, ...]
    shifts: tuple[tuple[Candidate, int, int], ...]
    report: StageReport


def _minutes(value: time) -> int:
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
    gaps = [int((b - a).total_seconds()) for a, b in zip(starts, starts[1:], strict=False)]
    step_seconds = min(gaps) if gaps else 1800
    if step_seconds % 60 or 86400 % step_seconds:
        raise ScheduleInputError(
            f"irregular intervals: {step_seconds} s between starts does not divide a day"
        )
    for a, b in zip(starts, starts[1:], strict=False):
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


def _start_every(t: ShiftTemplate, step: int) -> int:
    if t.start_every_minutes is not None:
        return t.start_every_minutes
    return -(-30 // step) * step


def _in_window(minute_of_day: int, earliest: time, latest: time) -> bool:
    lo, hi = _minutes(earliest), _minutes(latest)
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
        length, every = t.length_minutes // grid.step, _start_every(t, grid.step)
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


@dataclass(frozen=True)
class Capacity:
    """What named agents can supply, as necessary conditions for stage 1 (per day and skill)."""

    per_day: dict[int, int]
    per_day_skill: dict[tuple[int, int], int]
    shifts: int
    minutes: float


def solve_stage1(
    problem: ScheduleProblem, capacity: Capacity | None, *, seconds: float, workers: int
) -> ShiftPlan:
    """Choose shifts covering every interval with the fewest staffed (paid) minutes."""
    grid = build_grid(problem.requirement)
    templates = tuple(problem.templates)
    if not templates:
        raise ScheduleInputError("no shift templates")
    found = candidates(grid, templates)
    _check_coverable(grid, found)
    model = cp_model.CpModel()
    terms: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    chosen: list[tuple[Candidate, int, cp_model.IntVar]] = []
    for c in found:
        present = c.present()
        for k in range(len(grid.skills)):
            top = int(grid.demand[k, present].max())
            if top == 0:
                continue
            var = model.new_int_var(0, top, "")
            chosen.append((c, k, var))
            for slot in present:
                terms[k, slot].append(var)
    for k in range(len(grid.skills)):
        for slot in np.flatnonzero(grid.demand[k] > 0):
            model.add(sum(terms[k, int(slot)]) >= int(grid.demand[k, slot]))
    if capacity is not None:
        _add_capacity(model, grid, chosen, capacity)
    model.minimize(sum(c.length * var for c, _, var in chosen))
    solver, status, elapsed = _solve(model, seconds, workers)
    shifts: list[tuple[Candidate, int, int]] = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for c, k, var in chosen:
            if count := int(solver.value(var)):
                shifts.append((c, k, count))
    report = _report(solver, status, elapsed, scale=grid.step / 60)
    return ShiftPlan(grid, templates, tuple(shifts), report)


def _add_capacity(
    model: cp_model.CpModel,
    grid: Grid,
    chosen: Sequence[tuple[Candidate, int, cp_model.IntVar]],
    capacity: Capacity,
) -> None:
    by_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_day_skill: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for c, k, var in chosen:
        by_day[grid.day(c.start)].append(var)
        by_day_skill[grid.day(c.start), k].append(var)
    for day, vars_ in by_day.items():
        model.add(sum(vars_) <= capacity.per_day.get(day, 0))
    for key, vars_ in by_day_skill.items():
        model.add(sum(vars_) <= capacity.per_day_skill.get(key, 0))
    model.add(sum(var for _, _, var in chosen) <= capacity.shifts)
    model.add(sum(c.length * grid.step * var for c, _, var in chosen) <= int(capacity.minutes))


def _solve(
    model: cp_model.CpModel, seconds: float, workers: int
) -> tuple[cp_model.CpSolver, int, float]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = 7
    started = clock.perf_counter()
    status = solver.solve(model)
    return solver, int(status), clock.perf_counter() - started


def _report(solver: cp_model.CpSolver, status: int, elapsed: float, scale: float) -> StageReport:
    name = STATUS_NAMES.get(status, "UNKNOWN")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return StageReport(name, elapsed)
    return StageReport(
        name,
        elapsed,
        objective=solver.objective_value * scale,
        bound=solver.best_objective_bound * scale,
    )
