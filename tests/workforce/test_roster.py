"""Shift scheduling, stage 2: agents, days off, rest, availability, skills, peak squad,
infeasibility reports and the CSV exports."""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime, time, timedelta

from kefu.workforce.roster import coverage_csv, roster_csv
from kefu.workforce.schedule import Agent, Need, Rules, ScheduleProblem, ShiftTemplate
from tests.workforce.test_schedule import EIGHT, MONDAY, check_roster, combine, flat, solve

WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})


def week(agents: int, hour: int = 9, hours: float = 8, skill: str | None = None) -> list[Need]:
    """The same day, Monday to Sunday: ``agents`` from ``hour`` for ``hours``."""
    return [
        need
        for day in range(7)
        for need in flat(agents, MONDAY.replace(hour=hour) + timedelta(days=day), hours, skill)
    ]


def test_a_week_with_one_agent_a_day_needs_two_agents_with_two_days_off() -> None:
    four = ShiftTemplate("four", 240)  # 7 x 4 h fits the weekly hours: only days off bind
    problem = ScheduleProblem(week(1, hours=4), templates=[four])
    result = solve(problem)
    assert result.status == "OPTIMAL"
    assert result.agents_used == 2 and len(result.roster) == 7
    days = [{r.start.date() for r in result.roster if r.agent == a} for a in ("agent-1", "agent-2")]
    assert all(len(d) <= 5 for d in days)
    check_roster(result, problem)


def test_anonymous_agents_are_the_fewest_the_days_off_rules_allow() -> None:
    problem = ScheduleProblem(week(3), templates=[EIGHT])
    result = solve(problem)
    assert result.agents_used == math.ceil(21 / 5) == result.agents_lower_bound
    assert {r.agent for r in result.roster} == {f"agent-{i}" for i in range(1, 6)}
    check_roster(result, problem)


def test_minimum_rest_keeps_a_late_shift_from_an_early_one_next_morning() -> None:
    needs = flat(1, MONDAY.replace(hour=14), 8) + flat(1, MONDAY.replace(hour=6) + timedelta(1), 8)
    one = [Agent("solo")]
    refused = solve(ScheduleProblem(needs, templates=[EIGHT], agents=one))
    assert refused.status == "INFEASIBLE" and refused.roster == () and refused.problems
    relaxed = ScheduleProblem(needs, templates=[EIGHT], agents=one, rules=Rules(min_rest_hours=8))
    assert solve(relaxed).status == "OPTIMAL"
    two = ScheduleProblem(needs, templates=[EIGHT], agents=[Agent("a"), Agent("b")])
    result = solve(two)
    assert result.status == "OPTIMAL" and len({r.agent for r in result.roster}) == 2
    check_roster(result, two)


def test_availability_days_and_hours_are_respected() -> None:
    agents = [
        Agent("weekday-1", days_available=WEEKDAYS),
        Agent("weekday-2", days_available=WEEKDAYS),
        Agent("weekend", days_available=WEEKEND),
        Agent("evening", earliest_start=time(12), latest_end=time(22)),
    ]
    needs = combine(week(1), week(1, hour=13, hours=8))
    problem = ScheduleProblem(needs, templates=[EIGHT], agents=agents)
    result = solve(problem)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    for shift in result.roster:
        if shift.start.hour == 9:
            assert shift.agent != "evening"
    check_roster(result, problem)


def test_weekly_hours_limit_each_agent() -> None:
    agents = [Agent(f"part-{i}", max_hours_week=16) for i in range(4)]
    problem = ScheduleProblem(week(1), templates=[EIGHT], agents=agents)
    result = solve(problem)
    assert result.status in ("OPTIMAL", "FEASIBLE") and result.agents_used == 4
    check_roster(result, problem)
    too_few = ScheduleProblem(week(1), templates=[EIGHT], agents=agents[:3])
    assert solve(too_few).status == "INFEASIBLE"


def test_skills_are_covered_only_by_agents_who_have_them() -> None:
    nine = MONDAY.replace(hour=9)
    needs = flat(2, nine, 8, "presale") + flat(1, nine, 8, "returns")
    agents = [
        Agent("p1", skills=frozenset({"presale"})),
        Agent("p2", skills=frozenset({"presale"})),
        Agent("both", skills=frozenset({"presale", "returns"})),
        Agent("r-late", skills=frozenset({"returns"}), earliest_start=time(12)),
    ]
    problem = ScheduleProblem(needs, templates=[EIGHT], agents=agents)
    result = solve(problem)
    assert result.status == "OPTIMAL"
    assert {(r.agent, r.skill) for r in result.roster} == {
        ("p1", "presale"),
        ("p2", "presale"),
        ("both", "returns"),
    }
    assert {row.skill for row in result.coverage} == {"presale", "returns"}
    check_roster(result, problem)


def test_peak_squad_is_called_in_only_where_regular_agents_cannot_cover() -> None:
    regulars = [Agent(f"r{i}") for i in range(3)]
    squad = [Agent(f"s{i}", peak_squad=True) for i in range(3)]
    easy = ScheduleProblem(week(2), templates=[EIGHT], agents=regulars + squad)
    result = solve(easy)
    assert result.status == "OPTIMAL"
    assert not any(r.peak_squad for r in result.roster)
    check_roster(result, easy)
    busy = ScheduleProblem(week(3), templates=[EIGHT], agents=regulars + squad)
    result = solve(busy)
    assert result.status == "OPTIMAL"
    assert sum(r.peak_squad for r in result.roster) == 21 - 15  # regulars work 5 days each
    check_roster(result, busy)


def test_too_few_agents_is_reported_with_the_days_that_lack_them() -> None:
    agents = [Agent("mon-only", days_available=frozenset({0}))]
    result = solve(ScheduleProblem(flat(2, MONDAY.replace(hour=9), 8), [EIGHT], agents))
    assert result.status == "INFEASIBLE" and result.agents_used == 0
    assert any("Mon 2025-01-06: 2 agents needed at once, 1 available" in p for p in result.problems)
    assert result.min_coverage == 0


def test_a_medium_week_of_sixty_agents_is_fully_covered() -> None:
    shape = [0, 0, 1, 2, 4, 6, 8, 9, 10, 10, 9, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    scale = [1.0, 1.0, 1.0, 1.0, 0.9, 0.6, 0.4]
    needs = [
        Need(MONDAY + timedelta(days=d, minutes=30 * (12 + i)), math.ceil(n * 3.5 * scale[d]))
        for d in range(7)
        for i, n in enumerate(shape)
    ]
    agents = [
        Agent(f"a{i}", days_available=WEEKDAYS if i % 4 == 0 else frozenset(range(7)),
              earliest_start=time(7) if i % 3 else time(10), peak_squad=i >= 55)
        for i in range(60)
    ]  # fmt: skip
    problem = ScheduleProblem(needs, agents=agents)
    result = solve(problem, seconds=12)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert result.min_coverage is not None and result.min_coverage >= 1
    assert result.staffed_hours >= result.required_hours
    check_roster(result, problem)


def test_roster_and_coverage_export_as_csv() -> None:
    problem = ScheduleProblem(flat(1, MONDAY.replace(hour=9), 8), templates=[EIGHT])
    result = solve(problem)
    rows = list(csv.DictReader(io.StringIO(roster_csv(result))))
    assert rows == [
        {
            "agent": "agent-1",
            "date": "2025-01-06",
            "start": "2025-01-06T09:00",
            "end": "2025-01-06T17:00",
            "break_start": "",
            "break_end": "",
            "skill": "",
            "hours": "8",
        }
    ]
    coverage = list(csv.DictReader(io.StringIO(coverage_csv(result))))
    assert len(coverage) == 16
    assert coverage[0] == {
        "interval_start": "2025-01-06T09:00",
        "skill": "",
        "required": "1",
        "staffed": "1",
    }
    assert datetime.fromisoformat(coverage[-1]["interval_start"]).hour == 16


def test_anonymous_agents_cover_every_skill_one_skill_per_shift() -> None:
    nine = MONDAY.replace(hour=9)
    needs = flat(1, nine, 8, "presale") + flat(2, nine, 8, "returns")
    problem = ScheduleProblem(needs, templates=[EIGHT])
    result = solve(problem)
    assert result.status == "OPTIMAL" and result.agents_used == 3
    assert sorted(r.skill or "" for r in result.roster) == ["presale", "returns", "returns"]
    check_roster(result, problem)
