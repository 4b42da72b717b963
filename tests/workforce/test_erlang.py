"""Erlang B, C and A: the published case, exact checks against independent computations, and
the properties that must hold whatever the inputs."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import betainc

from kefu.workforce.erlang import (
    Channel,
    Targets,
    Workload,
    agents_with_shrinkage,
    average_speed_of_answer,
    erlang_a,
    erlang_b,
    erlang_c,
    log_erlang_b,
    occupancy,
    queue_metrics,
    required_agents,
    service_level,
    staff_intervals,
    wait_probability,
)

HALF_HOUR = Channel(interval_seconds=1800, aht_seconds=180)
KNOWN = Targets(service_level=0.8, answer_seconds=20, max_occupancy=0.85, shrinkage=0.3)


def _patient(patience: float, channel: Channel = HALF_HOUR) -> Channel:
    return Channel(channel.interval_seconds, channel.aht_seconds, patience, channel.concurrency)


def _exact_erlang_c(servers: int, traffic: Fraction, aht: float, answer: float) -> float:
    """SL of Erlang C from its textbook formula in exact rational arithmetic."""
    terms = [traffic**k / math.factorial(k) for k in range(servers)]
    top = traffic**servers / math.factorial(servers) * servers / (servers - traffic)
    wait = top / (sum(terms) + top)
    return 1 - float(wait) * math.exp(-float(servers - traffic) * answer / aht)


# --- the published case ---------------------------------------------------------------------


def test_known_case_gives_14_agents_and_the_published_figures() -> None:
    staffing = required_agents(Workload(100, HALF_HOUR), KNOWN)
    metrics = staffing.metrics
    assert staffing.agents == 14
    assert staffing.agents_with_shrinkage == 20
    assert round(metrics.service_level, 4) == 0.8884
    assert round(metrics.occupancy, 3) == 0.714
    assert round(metrics.wait_probability, 4) == 0.1741
    assert round(metrics.asa_seconds, 1) == 7.8
    assert metrics.traffic_erlangs == pytest.approx(10.0)


def test_known_case_with_13_agents_misses_the_service_level() -> None:
    assert service_level(Workload(100, HALF_HOUR), 13, 20) < 0.8


def test_the_functions_by_name_agree_with_the_metrics() -> None:
    workload = Workload(100, HALF_HOUR)
    assert wait_probability(workload, 14) == pytest.approx(0.174132, abs=1e-6)
    assert average_speed_of_answer(workload, 14) == pytest.approx(7.8359, abs=1e-4)
    assert occupancy(workload, 14) == pytest.approx(10 / 14)


# --- Erlang B and C -------------------------------------------------------------------------


def test_erlang_b_matches_the_textbook_table() -> None:
    assert erlang_b(10, 10.0) == pytest.approx(0.21458, abs=1e-5)
    assert erlang_b(5, 2.0) == pytest.approx(0.03670, abs=1e-5)
    assert erlang_b(0, 3.0) == 1.0


def test_erlang_b_does_not_overflow_with_thousands_of_servers() -> None:
    assert 0 < erlang_b(2000, 1900.0) < 1
    assert math.isfinite(log_erlang_b(5000, 10.0))
    assert log_erlang_b(5000, 10.0) < -20_000  # far below what a float holds, still exact
    assert erlang_b(5000, 10.0) == 0.0


@pytest.mark.parametrize(("volume", "servers"), [(100, 11), (2000, 205), (2000, 211), (4000, 410)])
def test_erlang_c_equals_exact_rational_arithmetic(volume: int, servers: int) -> None:
    traffic = Fraction(volume * 180, 1800)
    exact = _exact_erlang_c(servers, traffic, 180, 20)
    assert service_level(Workload(volume, HALF_HOUR), servers, 20) == pytest.approx(
        exact, abs=1e-12
    )


def test_large_case_2000_contacts_per_half_hour() -> None:
    workload = Workload(2000, HALF_HOUR)
    staffing = required_agents(workload, Targets(0.8, 20, 0.95))
    assert staffing.agents == 211  # 200 Erlangs; the 95 % occupancy cap binds
    assert service_level(workload, 210, 20) >= 0.8
    assert 200 / 211 <= 0.95 < 200 / 210
    without_cap = required_agents(workload, Targets(0.8, 20))
    assert without_cap.agents == 208  # exact arithmetic: SL 0.7628 with 207, 0.8086 with 208
    assert service_level(workload, 207, 20) < 0.8 <= without_cap.metrics.service_level


def test_very_large_cases_are_finite_and_consistent() -> None:
    for volume in (20_000, 100_000):
        c = required_agents(Workload(volume, HALF_HOUR), Targets(0.9, 20)).metrics
        a = required_agents(Workload(volume, _patient(120)), Targets(0.9, 20)).metrics
        assert c.agents > c.traffic_erlangs
        assert a.agents <= c.agents
        for metrics in (a, c):
            assert 0.9 <= metrics.service_level <= 1 - metrics.abandon_probability + 1e-12
            assert 0 <= metrics.wait_probability <= 1
            assert math.isfinite(metrics.asa_seconds)


def test_overloaded_erlang_c_never_answers_in_time() -> None:
    metrics = erlang_c(Workload(100, HALF_HOUR), 10)
    assert (metrics.wait_probability, metrics.service_level) == (1.0, 0.0)
    assert metrics.asa_seconds == math.inf


def test_occupancy_cap_can_decide_the_staffing() -> None:
    staffing = required_agents(Workload(100, HALF_HOUR), Targets(0.1, 20, max_occupancy=0.7))
    assert staffing.agents == 15  # 10 Erlangs / 0.7 = 14.3; the SL target alone needs 11
    assert required_agents(Workload(100, HALF_HOUR), Targets(0.1, 20)).agents == 11


def test_erlang_c_staffing_always_empties_the_queue() -> None:
    # Even with no service-level target, 10 Erlangs need 11 agents, not 10 or 1.
    assert required_agents(Workload(100, HALF_HOUR), Targets(0.0, 20)).agents == 11


def test_zero_volume_needs_no_agents() -> None:
    staffing = required_agents(Workload(0, HALF_HOUR), KNOWN)
    assert (staffing.agents, staffing.agents_with_shrinkage) == (0, 0)
    assert staffing.metrics.service_level == 1.0


@pytest.mark.parametrize(
    ("agents", "shrinkage", "scheduled"),
    [(14, 0.3, 20), (7, 0.3, 10), (21, 0.3, 30), (10, 0.0, 10), (1, 0.5, 2), (3, 0.35, 5)],
)
def test_shrinkage_rounds_up_without_floating_point_noise(
    agents: int, shrinkage: float, scheduled: int
) -> None:
    assert agents_with_shrinkage(agents, shrinkage) == scheduled


def test_chat_concurrency_counts_each_agent_as_several_slots() -> None:
    chat = Channel(1800, 600, concurrency=3)
    workload = Workload(150, chat)  # 50 Erlangs of chat time
    slots = required_agents(Workload(150, Channel(1800, 600)), Targets(0.8, 60)).agents
    staffing = required_agents(workload, Targets(0.8, 60))
    assert staffing.agents == math.ceil(slots / 3)
    assert staffing.metrics.servers == staffing.agents * 3
    assert staffing.metrics.occupancy == pytest.approx(50 / (staffing.agents * 3))
    assert service_level(workload, staffing.agents - 1, 60) < 0.8


def test_staff_intervals_keeps_the_forecast_order() -> None:
    forecast = [("08:00", 40.0), ("08:30", 100.0), ("09:00", 0.0), ("09:30", 2000.0)]
    plan = staff_intervals(forecast, HALF_HOUR, KNOWN)
    assert [row.interval_start for row in plan] == ["08:00", "08:30", "09:00", "09:30"]
    assert [row.staffing.agents for row in plan][1:3] == [14, 0]
    assert plan[1].staffing.agents_with_shrinkage == 20
    assert plan[3].staffing.agents > plan[0].staffing.agents


@pytest.mark.parametrize(
    "build",
    [
        lambda: Targets(shrinkage=1.0),
        lambda: Targets(service_level=1.0),
        lambda: Targets(max_occupancy=0.0),
        lambda: Channel(aht_seconds=0),
        lambda: Channel(patience_seconds=-5),
        lambda: Channel(concurrency=0),
        lambda: Workload(-1, HALF_HOUR),
        lambda: Workload(math.nan, HALF_HOUR),
    ],
)
def test_impossible_inputs_are_refused(build: object) -> None:
    with pytest.raises(ValueError):
        build()  # type: ignore[operator]


# --- Erlang A -------------------------------------------------------------------------------


def _birth_death(volume: float, agents: int, patience: float, answer: float) -> dict[str, float]:
    """Erlang A from its truncated Markov chain, state by state (no closed forms)."""
    lam, mu, theta = volume / 1800, 1 / 180, 1 / patience
    states = np.arange(agents + 4000)
    death = np.minimum(states[1:], agents) * mu + np.maximum(states[1:] - agents, 0) * theta
    log_p = np.concatenate(([0.0], np.cumsum(np.log(lam) - np.log(death))))
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queued = p[agents:]
    k = np.arange(queued.size)
    x = agents * mu / theta
    served = x / (x + k + 1)  # P(reach an agent | k ahead): competing exponential clocks
    # Given service, the wait is a sum of exponentials with rates x+1..x+k+1 (θ units),
    # whose law is that of -log U for U ~ Beta(x+1, k+1).
    on_time = 1 - betainc(x + 1, k + 1, math.exp(-theta * answer))
    mean_wait = np.cumsum(1 / (x + k + 1)) / theta
    # Abandoned before the target: ∫_0^s e^-u P(offered wait > u) du, offered wait ~ -log U,
    # U ~ Beta(x, k+1); Gauss-Legendre in u.
    nodes, weights = np.polynomial.legendre.leggauss(64)
    s = theta * answer
    u = (nodes + 1) * s / 2
    longer = betainc(x, k[:, None] + 1, np.exp(-u)[None, :])
    early = (queued[:, None] * longer * np.exp(-u)[None, :] * weights * s / 2).sum()
    return {
        "abandoned_early": float(early),
        "wait": float(queued.sum()),
        "abandon": float(theta * (k * queued).sum() / lam),  # Little: λ·P(ab) = θ·E[queue]
        "answered_in_time": float(p[:agents].sum() + (queued * served * on_time).sum()),
        "asa": float((queued * served * mean_wait).sum() / (1 - (queued * (1 - served)).sum())),
    }


@pytest.mark.parametrize(
    ("volume", "agents", "patience"),
    [(100, 14, 60), (100, 12, 60), (100, 9, 120), (300, 30, 30), (50, 5, 600), (600, 58, 180)],
)
def test_erlang_a_closed_forms_match_the_markov_chain(
    volume: float, agents: int, patience: float
) -> None:
    metrics = erlang_a(Workload(volume, _patient(patience)), agents, 20)
    chain = _birth_death(volume, agents, patience, 20)
    assert metrics.wait_probability == pytest.approx(chain["wait"], abs=1e-10)
    assert metrics.abandon_probability == pytest.approx(chain["abandon"], abs=1e-10)
    assert metrics.service_level == pytest.approx(chain["answered_in_time"], abs=1e-10)
    assert metrics.abandoned_within_target == pytest.approx(chain["abandoned_early"], abs=1e-10)
    assert metrics.asa_seconds == pytest.approx(chain["asa"], rel=1e-9)


def test_erlang_a_counts_every_abandon_as_a_miss() -> None:
    metrics = erlang_a(Workload(100, _patient(60)), 12, 20)
    assert metrics.service_level <= 1 - metrics.abandon_probability
    assert 0 < metrics.abandoned_within_target < metrics.abandon_probability
    assert metrics.occupancy == pytest.approx(10 * (1 - metrics.abandon_probability) / 12)


def test_abandons_counted_as_misses_can_need_more_agents_than_erlang_c() -> None:
    # 20 short contacts per half hour on one agent: Erlang C answers 88.5 % within 21 s; with
    # a 37 s patience fewer wait, but 8.7 % abandon and every one of them is a miss.
    targets = Targets(0.883, 21)
    patient, impatient = Channel(1800, 21.4), Channel(1800, 21.4, 37)
    assert required_agents(Workload(20.3, patient), targets).agents == 1
    assert required_agents(Workload(20.3, impatient), targets).agents == 2
    lenient = Targets(0.883, 21, exclude_early_abandons=True)
    assert required_agents(Workload(20.3, impatient), lenient).agents == 1


def test_excluding_early_abandons_staffs_leaner_and_abandons_more() -> None:
    workload = Workload(20_000, _patient(120))  # 2,000 Erlangs
    strict = required_agents(workload, Targets(0.9, 20))
    lenient = required_agents(workload, Targets(0.9, 20, exclude_early_abandons=True))
    assert required_agents(Workload(20_000, HALF_HOUR), Targets(0.9, 20)).agents == 2017
    assert (strict.agents, lenient.agents) == (1815, 1758)
    assert strict.metrics.abandon_probability < 0.1 < lenient.metrics.abandon_probability
    assert (
        lenient.metrics.service_level
        < 0.9
        <= lenient.metrics.service_level_excluding_early_abandons
    )


def test_erlang_a_copes_with_overload_where_erlang_c_cannot() -> None:
    metrics = erlang_a(Workload(100, _patient(120)), 8, 20)  # 10 Erlangs on 8 agents
    assert metrics.abandon_probability > 0.2  # at least the 2 Erlangs in excess leave
    assert metrics.occupancy < 1
    assert math.isfinite(metrics.asa_seconds)


def test_erlang_a_needs_a_patience() -> None:
    with pytest.raises(ValueError):
        erlang_a(Workload(100, HALF_HOUR), 14)


def test_erlang_a_approaches_erlang_c_as_patience_grows() -> None:
    workload = Workload(100, HALF_HOUR)
    c = erlang_c(workload, 14)
    gaps = []
    for patience in (1e3, 1e5, 1e7):
        a = erlang_a(Workload(100, _patient(patience)), 14)
        gaps.append(abs(a.service_level - c.service_level))
        assert a.abandon_probability < 10 / patience
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 1e-5


# --- properties -----------------------------------------------------------------------------

volumes = st.floats(min_value=0.5, max_value=3000)
handle_times = st.floats(min_value=10, max_value=1200)
answer_times = st.floats(min_value=0, max_value=180)
patiences = st.floats(min_value=1, max_value=3600)


@settings(max_examples=150, deadline=None)
@given(volume=volumes, aht=handle_times, answer=answer_times, patience=st.none() | patiences)
def test_service_level_never_falls_when_agents_are_added(
    volume: float, aht: float, answer: float, patience: float | None
) -> None:
    workload = Workload(volume, Channel(1800, aht, patience))
    start = max(1, int(workload.traffic) - 3)
    levels = [queue_metrics(workload, n, answer).service_level for n in range(start, start + 8)]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(levels))
    waits = [wait_probability(workload, n) for n in range(start, start + 8)]
    assert all(0 <= w <= 1 for w in waits)
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(waits))


@settings(max_examples=150, deadline=None)
@given(volume=volumes, aht=handle_times, extra=st.integers(min_value=1, max_value=30))
def test_erlang_c_occupancy_is_traffic_over_agents(volume: float, aht: float, extra: int) -> None:
    workload = Workload(volume, Channel(1800, aht))
    agents = math.floor(workload.traffic) + extra
    metrics = erlang_c(workload, agents)
    assert metrics.occupancy == pytest.approx(workload.traffic / agents)
    assert 0 <= metrics.wait_probability <= 1
    assert 0 <= metrics.service_level <= 1


@settings(max_examples=50, deadline=None)
@given(volume=volumes, aht=handle_times, extra=st.integers(min_value=1, max_value=20))
def test_erlang_a_with_huge_patience_is_erlang_c(volume: float, aht: float, extra: int) -> None:
    # Some spare capacity: at the edge of stability even 30-year patience is not infinite.
    channel = Channel(1800, aht)
    agents = math.floor(Workload(volume, channel).traffic * 1.02) + extra
    c = erlang_c(Workload(volume, channel), agents)
    a = erlang_a(Workload(volume, Channel(1800, aht, 1e9)), agents)
    assert a.wait_probability == pytest.approx(c.wait_probability, abs=1e-4)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-4)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-3, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(
    volume=volumes,
    aht=handle_times,
    answer=answer_times,
    patience=patiences,
    level=st.floats(min_value=0.05, max_value=0.995),
    max_occupancy=st.floats(min_value=0.5, max_value=1.0),
)
def test_abandonment_never_needs_more_agents_than_erlang_c(
    volume: float, aht: float, answer: float, patience: float, level: float, max_occupancy: float
) -> None:
    # With the service level over the contacts still there at the target; counting early
    # abandons as misses can need more (see the test above).
    targets = Targets(level, answer, max_occupancy, exclude_early_abandons=True)
    with_patience = required_agents(Workload(volume, Channel(1800, aht, patience)), targets)
    without = required_agents(Workload(volume, Channel(1800, aht)), targets)
    assert with_patience.agents <= without.agents
    assert with_patience.metrics.service_level_excluding_early_abandons >= level - 1e-9


@settings(max_examples=100, deadline=None)
@given(volume=volumes, aht=handle_times, patience=patiences, extra=st.integers(0, 10))
def test_abandonment_never_makes_waiting_more_likely(
    volume: float, aht: float, patience: float, extra: int
) -> None:
    agents = max(1, math.floor(Workload(volume, Channel(1800, aht)).traffic) + extra)
    a = erlang_a(Workload(volume, Channel(1800, aht, patience)), agents)
    c = erlang_c(Workload(volume, Channel(1800, aht)), agents)
    assert a.wait_probability <= c.wait_probability + 1e-9
    assert a.asa_seconds <= c.asa_seconds + 1e-9
    assert 0 <= a.abandoned_within_target <= a.abandon_probability <= a.wait_probability + 1e-12


@settings(max_examples=100, deadline=None)
@given(
    volume=volumes,
    aht=handle_times,
    answer=answer_times,
    patience=st.none() | patiences,
    level=st.floats(min_value=0.05, max_value=0.99),
    shrinkage=st.floats(min_value=0, max_value=0.6),
)
def test_required_agents_is_the_smallest_that_meets_the_targets(
    volume: float,
    aht: float,
    answer: float,
    patience: float | None,
    level: float,
    shrinkage: float,
) -> None:
    workload = Workload(volume, Channel(1800, aht, patience))
    staffing = required_agents(workload, Targets(level, answer, 0.9, shrinkage))
    fewer = queue_metrics(workload, staffing.agents - 1, answer)
    assert staffing.metrics.service_level >= level - 1e-9
    assert staffing.metrics.occupancy <= 0.9 + 1e-9
    assert fewer.service_level < level or fewer.occupancy > 0.9
    assert staffing.agents_with_shrinkage * (1 - shrinkage) >= staffing.agents - 1e-9
    assert (staffing.agents_with_shrinkage - 1) * (1 - shrinkage) < staffing.agents


def test_an_absurd_load_is_refused_instead_of_computed_for_minutes() -> None:
    channel = Channel(interval_seconds=60.0, aht_seconds=86_400.0)
    with pytest.raises(ValueError, match="Erlangs"):
        Workload(1e6, channel)
