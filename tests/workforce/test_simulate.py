"""The day simulation: it agrees with Erlang C and Erlang A on stationary days, keeps its
books, follows the roster, and is reproducible from its seed.

Tolerances come from the spread measured over 40 seeds (docs/workforce-staffing.md): a
10-day run of the known case (48,000 contacts) has a service-level standard deviation of
about 0.007 (waits are correlated, so far above the binomial 0.0015); averaging 4 runs halves
it, and 0.015 is then more than 4 standard deviations."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.workforce.erlang import Channel, QueueMetrics, Workload, queue_metrics
from kefu.workforce.simulate import (
    DayPlan,
    IntervalResult,
    SimulationConfig,
    simulate,
    simulate_day,
)

HOUR = 3600.0


def _stationary(
    volume: float, agents: int, config: SimulationConfig, seeds: range
) -> dict[str, float]:
    """Mean of whole-run measures over seeds, for a 48-interval day repeated 10 times."""
    runs = [
        simulate(DayPlan([volume] * 48, [agents] * 48), config, days=10, seed=seed).total
        for seed in seeds
    ]

    def mean(values: list[float | None]) -> float:
        return statistics.mean(v for v in values if v is not None)

    return {
        "service_level": mean([r.service_level for r in runs]),
        "asa": mean([r.asa_seconds for r in runs]),
        "abandon": mean([r.abandon_rate for r in runs]),
        "occupancy": mean([r.occupancy for r in runs]),
    }


def _erlang(volume: float, agents: int, config: SimulationConfig) -> QueueMetrics:
    channel = Channel(
        config.interval_seconds, config.aht_seconds, config.patience_seconds, config.concurrency
    )
    return queue_metrics(Workload(volume, channel), agents, config.answer_seconds)


def test_stationary_day_agrees_with_erlang_c_on_the_known_case() -> None:
    config = SimulationConfig(1800, 180, 20)
    measured = _stationary(100, 14, config, range(4))
    expected = _erlang(100, 14, config)  # SL 0.8884, ASA 7.84 s, occupancy 0.714
    assert measured["service_level"] == pytest.approx(expected.service_level, abs=0.015)
    assert measured["asa"] == pytest.approx(expected.asa_seconds, abs=1.5)
    assert measured["occupancy"] == pytest.approx(expected.occupancy, abs=0.01)
    assert measured["abandon"] == 0


def test_stationary_day_agrees_with_erlang_a() -> None:
    config = SimulationConfig(1800, 180, 20, patience_seconds=60)
    measured = _stationary(100, 12, config, range(3))
    expected = _erlang(100, 12, config)  # SL 0.860, abandonment 0.076, ASA 3.5 s
    assert measured["service_level"] == pytest.approx(expected.service_level, abs=0.01)
    assert measured["abandon"] == pytest.approx(expected.abandon_probability, abs=0.006)
    assert measured["asa"] == pytest.approx(expected.asa_seconds, abs=0.4)
    assert measured["occupancy"] == pytest.approx(expected.occupancy, abs=0.01)


def test_overloaded_day_agrees_with_erlang_a() -> None:
    config = SimulationConfig(1800, 180, 20, patience_seconds=120)
    measured = _stationary(100, 8, config, range(3))  # 10 Erlangs on 8 agents
    expected = _erlang(100, 8, config)
    assert measured["abandon"] == pytest.approx(expected.abandon_probability, abs=0.01)
    assert measured["service_level"] == pytest.approx(expected.service_level, abs=0.02)
    assert measured["occupancy"] == pytest.approx(expected.occupancy, abs=0.01)


def test_chat_concurrency_agrees_with_erlang_c_on_slots() -> None:
    config = SimulationConfig(1800, 180, 20, concurrency=2)
    measured = _stationary(100, 6, config, range(4))  # 12 slots, 10 Erlangs
    expected = _erlang(100, 6, config)
    assert expected.servers == 12
    assert measured["service_level"] == pytest.approx(expected.service_level, abs=0.03)
    assert measured["occupancy"] == pytest.approx(10 / 12, abs=0.01)


def test_lognormal_handle_times_keep_the_mean_and_so_the_occupancy() -> None:
    config = SimulationConfig(1800, 180, 20, handle_time_cv=0.6)
    measured = _stationary(100, 14, config, range(2))
    assert measured["occupancy"] == pytest.approx(10 / 14, abs=0.01)
    # Less variable handling than exponential (CV 1): fewer long waits than Erlang C.
    assert measured["service_level"] > _erlang(100, 14, config).service_level


def test_same_seed_same_day_and_another_seed_another_day() -> None:
    plan = DayPlan([80, 120, 60], [10, 14, 8])
    config = SimulationConfig(patience_seconds=90)
    first = simulate(plan, config, days=2, seed=42)
    assert simulate(plan, config, days=2, seed=42) == first
    assert simulate(plan, config, days=2, seed=43).total != first.total
    assert first.days == 2 and len(first.day_service_levels) == 2


def test_more_agents_never_answer_fewer_contacts_in_time() -> None:
    # Same seed, same contacts: in a FCFS queue without abandonment every wait can only shrink
    # when a server is added (Kiefer and Wolfowitz), whatever the roster does during the day.
    volumes, config = [60, 140, 160, 90, 30], SimulationConfig(1800, 180, 20)
    results = [
        simulate(DayPlan(volumes, [n, n + 4, n + 5, n + 2, n - 3]), config, days=3, seed=9).total
        for n in (8, 9, 10, 12)
    ]
    in_time = [r.answered_within_target for r in results]
    assert in_time == sorted(in_time)
    assert in_time[0] < in_time[-1]


def test_agents_going_off_duty_finish_their_contact() -> None:
    # Ten agents for a handful of hour-long contacts, then nobody: the contacts still running
    # at the change of interval are finished, and nobody idles on after it.
    config = SimulationConfig(1800, HOUR, 20)
    day = simulate_day(DayPlan([4, 0], [10, 0]), config, np.random.default_rng(3))
    first, second = day
    assert first.offered == first.answered > 0
    assert first.staffed_seconds == pytest.approx(10 * 1800)
    assert 0 < second.busy_seconds == pytest.approx(second.staffed_seconds)
    assert second.staffed_seconds < first.answered * 1800


def test_nobody_on_duty_and_no_patience_leaves_contacts_unanswered() -> None:
    day = simulate_day(DayPlan([30], [0]), SimulationConfig(), np.random.default_rng(1))[0]
    assert day.offered == day.unanswered > 0
    assert day.service_level == 0.0
    assert (day.asa_seconds, day.occupancy) == (None, None)


def test_a_quiet_day_reports_no_rates() -> None:
    report = simulate(DayPlan([0, 0], [3, 3]), SimulationConfig(), days=2)
    assert report.total.offered == 0
    assert report.total.service_level is None
    assert report.total.occupancy == 0.0


def test_a_20000_contact_day_runs() -> None:
    plan = DayPlan([20_000 / 48] * 48, [46] * 48)  # 41.7 Erlangs on 46 agents
    report = simulate(plan, SimulationConfig(1800, 180, 20, patience_seconds=120), seed=5)
    total = report.total
    assert abs(total.offered - 20_000) < 5 * math.sqrt(20_000)
    assert total.answered + total.abandoned + total.unanswered == total.offered
    assert 0.5 < (total.service_level or 0) <= 1


@pytest.mark.parametrize(
    ("volumes", "agents", "days"),
    [([1.0, 2.0], [1], 1), ([], [], 1), ([-1.0], [1], 1), ([1.0], [-1], 1), ([1.0], [1], 0)],
)
def test_impossible_plans_are_refused(volumes: list[float], agents: list[int], days: int) -> None:
    with pytest.raises(ValueError):
        simulate(DayPlan(volumes, agents), SimulationConfig(), days=days)


@settings(max_examples=40, deadline=None)
@given(
    volumes=st.lists(st.floats(min_value=0, max_value=60), min_size=1, max_size=6),
    staffing=st.lists(st.integers(min_value=0, max_value=8), min_size=6, max_size=6),
    patience=st.none() | st.floats(min_value=1, max_value=600),
    cv=st.none() | st.floats(min_value=0.2, max_value=2),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_every_contact_is_accounted_for(
    volumes: list[float],
    staffing: list[int],
    patience: float | None,
    cv: float | None,
    seed: int,
) -> None:
    plan = DayPlan(volumes, staffing[: len(volumes)])
    config = SimulationConfig(900, 240, 30, patience_seconds=patience, handle_time_cv=cv)
    report = simulate(plan, config, seed=seed)
    total = IntervalResult()
    for interval, agents in zip(report.intervals, plan.agents, strict=True):
        total.add(interval)
        assert interval.offered == interval.answered + interval.abandoned + interval.unanswered
        assert interval.answered_within_target <= interval.answered
        assert interval.abandoned_within_target <= interval.abandoned
        assert interval.busy_seconds <= interval.staffed_seconds + 1e-6
        assert interval.staffed_seconds >= agents * 900 - 1e-6  # leavers may stay on
        if patience is None:
            assert interval.abandoned == 0
    assert total == report.total
    if report.total.unanswered:
        assert patience is None and plan.agents[-1] == 0
