"""Shift scheduling, stage 1 and inputs: known optima, breaks, coverage and refused input."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.workforce.roster import ScheduleResult, schedule_shifts
from kefu.workforce.schedule import (
    Agent,
    Need,
    Rules,
    ScheduleInputError,
    ScheduleProblem,
    ShiftTemplate,
    build_grid,
)

MONDAY = datetime(2025, 1, 6)
EIGHT = ShiftTemplate("eight", 480)
EIGHT_WITH_BREAK = ShiftTemplate(
    "eight", 480, break_minutes=30, break_after_min=180, break_after_max=300
)


def flat(agents: int, start: datetime, hours: float, skill: str | None = None) -> list[Need]:
    """``agents`` needed in every 30-min interval for ``hours`` from ``start``."""
    return [Need(start + timedelta(minutes=30 * i), agents, skill) for i in range(int(hours * 2))]


def combine(*parts: list[Need]) -> list[Need]:
    """Requirements added up interval by interval."""
    total: dict[tuple[datetime, str | None], int] = defaultdict(int)
    for part in parts:
        for need in part:
            total[need.start, need.skill] += need.agents
    return [Need(at, n, skill) for (at, skill), n in sorted(total.items(), key=str)]


def solve(problem: ScheduleProblem, seconds: float = 10) -> ScheduleResult:
    return schedule_shifts(problem, time_limit_seconds=seconds, workers=2)


def check_roster(result: ScheduleResult, problem: ScheduleProblem) -> None:
    """Recount coverage from the roster and check every working-time rule, independently of
    the solver's own bookkeeping."""
    rules, step = problem.rules, timedelta(minutes=result.interval_minutes)
    present: dict[tuple[datetime, str | None], int] = defaultdict(int)
    mine: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    agents = {a.id: a for a in problem.agents or []}
    for s in result.roster:
        at = s.start
        while at < s.end:
            on_break = s.break_start is not None and s.break_start <= at < (s.break_end or at)
            present[at, s.skill] += not on_break
            at += step
        mine[s.agent].append((s.start, s.end))
        if s.agent in agents:
            a = agents[s.agent]
            assert s.start.weekday() in a.days_available, s
            assert s.start.time() >= a.earliest_start, s
            assert s.skill is None or s.skill in a.skills, s
            if a.latest_end is not None:
                end_limit = datetime.combine(s.start.date(), a.latest_end)
                end_limit += timedelta(days=1) if a.latest_end <= a.earliest_start else timedelta()
                assert s.end <= end_limit, s
    for need in problem.requirement:
        assert present[need.start, need.skill] >= need.agents, need
    for agent, shifts in mine.items():
        shifts.sort()
        cap = agents[agent].max_hours_week if agent in agents else None
        hours = sum((e - s).total_seconds() for s, e in shifts) / 3600
        assert hours <= (rules.max_hours_week if cap is None else cap), agent
        assert len({s.date() for s, _ in shifts}) == len(shifts), f"{agent}: two shifts a day"
        assert len(shifts) <= min(rules.max_shifts_week, 7 - rules.min_days_off), agent
        for (_, end), (start, _) in pairwise(shifts):
            assert start - end >= timedelta(hours=rules.min_rest_hours), agent
    assert result.min_coverage is None or result.min_coverage >= 1


def test_flat_requirement_of_two_agents_for_eight_hours_takes_exactly_two_shifts() -> None:
    problem = ScheduleProblem(flat(2, MONDAY.replace(hour=9), 8), templates=[EIGHT])
    result = solve(problem)
    assert result.status == "OPTIMAL"
    assert (len(result.roster), result.agents_used) == (2, 2)
    assert result.staffed_hours == result.required_hours == 16
    assert result.min_coverage == 1
    assert {(s.start.hour, s.end.hour) for s in result.roster} == {(9, 17)}
    check_roster(result, problem)


def test_breaks_count_as_absence_so_cover_needs_a_third_shift() -> None:
    problem = ScheduleProblem(flat(2, MONDAY.replace(hour=9), 8), templates=[EIGHT_WITH_BREAK])
    result = solve(problem)
    assert result.status == "OPTIMAL"
    assert len(result.roster) == 3 and result.staffed_hours == 24
    assert result.present_hours == 24 - 1.5
    breaks = {s.break_start for s in result.roster}
    assert len(breaks) == 3  # staggered: two breaks at once would leave one agent present
    for s in result.roster:
        assert s.break_start is not None and s.break_end is not None
        assert timedelta(hours=3) <= s.break_start - s.start <= timedelta(hours=5)
        row = next(c for c in result.coverage if c.start == s.break_start)
        assert row.staffed == 2 and row.required == 2
    check_roster(result, problem)


def test_the_cheapest_template_mix_wins_and_every_interval_is_covered() -> None:
    needs = combine(flat(1, MONDAY.replace(hour=8), 12), flat(1, MONDAY.replace(hour=12), 4))
    problem = ScheduleProblem(needs, templates=[EIGHT, ShiftTemplate("four", 240)])
    result = solve(problem)
    assert result.status == "OPTIMAL"
    assert result.staffed_hours == result.required_hours == 16
    check_roster(result, problem)


def test_fifteen_minute_intervals_and_start_windows_are_honoured() -> None:
    start = MONDAY.replace(hour=10)
    needs = [Need(start + timedelta(minutes=15 * i), 1) for i in range(16)]
    late = ShiftTemplate("late", 240, earliest_start=time(10), latest_start=time(10))
    result = solve(ScheduleProblem(needs, templates=[late]))
    assert result.interval_minutes == 15 and result.status == "OPTIMAL"
    assert [(s.start, s.end) for s in result.roster] == [(start, start + timedelta(hours=4))]


def test_an_empty_requirement_needs_nobody() -> None:
    result = solve(ScheduleProblem([Need(MONDAY, 0), Need(MONDAY + timedelta(minutes=30), 0)]))
    assert (result.status, result.agents_used, result.roster) == ("OPTIMAL", 0, ())
    assert result.min_coverage is None


@pytest.mark.parametrize(
    ("needs", "message"),
    [
        ([], "no rows"),
        ([Need(MONDAY, -1)], "negative agents"),
        ([Need(MONDAY, 1), Need(MONDAY + timedelta(minutes=7), 1)], "irregular intervals"),
        ([Need(MONDAY + timedelta(minutes=m), 1) for m in (0, 30, 75)], "irregular intervals"),
        ([Need(MONDAY, 1), Need(MONDAY, 2)], "two rows"),
        ([Need(MONDAY, 1, "presale"), Need(MONDAY, 1)], "every requirement row names a skill"),
    ],
)
def test_bad_requirements_are_refused_with_a_reason(needs: list[Need], message: str) -> None:
    with pytest.raises(ScheduleInputError, match=message):
        build_grid(needs)


def test_templates_that_cannot_reach_the_requirement_hours_are_refused() -> None:
    night = flat(1, MONDAY.replace(hour=1), 2) + flat(0, MONDAY.replace(hour=3), 6)
    day_only = ShiftTemplate("day", 240, earliest_start=time(8), latest_start=time(12))
    with pytest.raises(ScheduleInputError, match="no shift template can cover"):
        solve(ScheduleProblem(night, templates=[day_only]))


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (ShiftTemplate("odd", 470), "not a multiple"),
        (ShiftTemplate("b", 480, break_minutes=30), "break window"),
        (ShiftTemplate("s", 480, start_every_minutes=20), "start_every"),
    ],
)
def test_malformed_templates_are_refused(template: ShiftTemplate, message: str) -> None:
    with pytest.raises(ScheduleInputError, match=message):
        solve(ScheduleProblem(flat(1, MONDAY.replace(hour=9), 8), templates=[template]))


def test_agent_ids_must_be_unique() -> None:
    with pytest.raises(ScheduleInputError, match="unique"):
        solve(ScheduleProblem(flat(1, MONDAY, 8), agents=[Agent("a"), Agent("a")]))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    demand=st.lists(st.integers(0, 3), min_size=4, max_size=20),
    first_hour=st.integers(0, 14),
)
def test_any_small_requirement_is_covered_with_at_least_the_required_hours(
    demand: list[int], first_hour: int
) -> None:
    start = MONDAY.replace(hour=first_hour)
    needs = [Need(start + timedelta(minutes=30 * i), n) for i, n in enumerate(demand)]
    templates = [ShiftTemplate("two", 120), ShiftTemplate("four", 240)]
    problem = ScheduleProblem(needs, templates=templates, rules=Rules(min_rest_hours=0))
    result = solve(problem, seconds=5)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert result.staffed_hours >= result.required_hours
    check_roster(result, problem)
