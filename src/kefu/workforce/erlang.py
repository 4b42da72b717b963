"""Erlang C and Erlang A (M/M/N and M/M/N+M) queue metrics and the staffing that meets targets.

Pure maths, no I/O. Model and definitions (docs/workforce-staffing.md has the derivations):

* Contacts arrive as a Poisson process at rate ``λ = volume / interval``; handling is
  exponential with mean AHT (``μ = 1/AHT``); the offered traffic is ``a = λ/μ`` Erlangs.
* Chat concurrency: an agent handling ``k`` chats at once is ``k`` servers (slots), each busy
  for the chat's wall-clock handle time. ``N`` agents are ``N·k`` servers; the agents needed
  are ``ceil(servers needed / k)``. Occupancy is then the share of slots in use.
* Service level: contacts answered within the answer-time target T / contacts offered. A
  contact that abandons (Erlang A) counts as a miss, even if it gave up before T. The other
  common definition leaves contacts that abandoned within T out of the denominator
  (``service_level_excluding_early_abandons``; staff on it with
  ``Targets(exclude_early_abandons=True)``): it needs fewer agents (in our property tests
  never more than Erlang C, which the first definition can need) but lets abandonment grow.
  For Erlang C both are P(wait <= T).
* ASA: the mean wait of answered contacts (those answered at once count with 0 s).
* Occupancy: carried traffic / servers, i.e. ``a/N`` for Erlang C and ``a·(1-P(abandon))/N``
  for Erlang A.
* Erlang A (Palm's M/M/N+M): patience is exponential with mean ``1/θ``; a waiting contact
  abandons when its patience runs out. The closed forms follow Mandelbaum & Zeltyn
  ("The Palm/Erlang-A queue, with applications to call centers", 2007), written with the
  function ``A(x, y) = x·e^y·y^(-x)·γ(x, y)`` evaluated in log space.

Erlang B is computed by its recursion in log space, so hundreds of agents and thousands of
Erlangs neither overflow nor lose precision.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.special import gammainc, gammaln

Model = Literal["erlang_c", "erlang_a"]
# Floating-point slack when comparing with targets (14 / 0.7 is 20.000000000000004).
_EPS = 1e-9
# Longest sum over queue lengths for the Erlang A ASA; only absurd inputs need more.
_MAX_QUEUE_TERMS = 20_000_000
# Offered load above which no answer is worth computing (a 400-agent team carries a few hundred
# Erlangs); beyond it the Erlang B recursion alone would run for minutes.
MAX_TRAFFIC_ERLANGS = 50_000.0


@dataclass(frozen=True)
class Channel:
    """How contacts of one queue behave: interval length, handle time, patience, concurrency.

    ``patience_seconds`` None means nobody abandons (Erlang C); a number is the mean of an
    exponential patience (Erlang A). ``concurrency`` is the number of chats an agent handles
    at once (1 for calls)."""

    interval_seconds: float = 1800.0
    aht_seconds: float = 180.0
    patience_seconds: float | None = None
    concurrency: int = 1

    def __post_init__(self) -> None:
        if not self.interval_seconds > 0:
            raise ValueError("the interval must be longer than 0 s")
        if not self.aht_seconds > 0:
            raise ValueError("the average handle time must be longer than 0 s")
        if self.patience_seconds is not None and not self.patience_seconds > 0:
            raise ValueError("the patience must be longer than 0 s")
        if self.concurrency < 1:
            raise ValueError("the concurrency must be at least 1")

    @property
    def model(self) -> Model:
        return "erlang_c" if self.patience_seconds is None else "erlang_a"


@dataclass(frozen=True)
class Workload:
    """The contacts offered in one interval of a channel."""

    volume: float
    channel: Channel = field(default_factory=Channel)

    def __post_init__(self) -> None:
        if not (self.volume >= 0 and math.isfinite(self.volume)):
            raise ValueError(f"the volume must be a number >= 0, not {self.volume}")
        if self.traffic > MAX_TRAFFIC_ERLANGS:
            raise ValueError(
                f"the offered load is {self.traffic:,.0f} Erlangs (volume x handle time / "
                f"interval); at most {MAX_TRAFFIC_ERLANGS:,.0f} can be staffed"
            )

    @property
    def arrival_rate(self) -> float:
        """Contacts per second."""
        return self.volume / self.channel.interval_seconds

    @property
    def traffic(self) -> float:
        """Offered traffic in Erlangs (server-seconds of work per second)."""
        return self.arrival_rate * self.channel.aht_seconds

    def servers(self, agents: int) -> int:
        """Slots that ``agents`` agents offer (the concurrency model)."""
        return agents * self.channel.concurrency


@dataclass(frozen=True)
class Targets:
    """What the staffing must achieve, and the share of paid time agents are unavailable."""

    service_level: float = 0.8
    answer_seconds: float = 20.0
    max_occupancy: float = 1.0
    shrinkage: float = 0.0
    exclude_early_abandons: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.service_level < 1:
            raise ValueError("the service-level target must be in [0, 1)")
        if not self.answer_seconds >= 0:
            raise ValueError("the answer-time target must be >= 0 s")
        if not 0 < self.max_occupancy <= 1:
            raise ValueError("the maximum occupancy must be in (0, 1]")
        if not 0 <= self.shrinkage < 1:
            raise ValueError("the shrinkage must be in [0, 1)")


@dataclass(frozen=True)
class QueueMetrics:
    """What a queue with a given number of agents achieves in one interval."""

    model: Model
    agents: int
    servers: int
    traffic_erlangs: float
    wait_probability: float
    service_level: float
    asa_seconds: float
    occupancy: float
    abandon_probability: float
    abandoned_within_target: float

    @property
    def service_level_excluding_early_abandons(self) -> float:
        """Answered within target / (offered - abandoned within target)."""
        counted = 1 - self.abandoned_within_target
        return min(self.service_level / counted, 1.0) if counted > 0 else 0.0


@dataclass(frozen=True)
class Staffing:
    """The fewest agents meeting the targets, with what they achieve."""

    metrics: QueueMetrics
    agents_with_shrinkage: int

    @property
    def agents(self) -> int:
        return self.metrics.agents


@dataclass(frozen=True)
class IntervalStaffing:
    """The requirement of one forecast interval."""

    interval_start: str
    volume: float
    staffing: Staffing


# --- Erlang B and C -------------------------------------------------------------------------


def log_erlang_b(servers: int, traffic: float) -> float:
    """Natural log of the Erlang B blocking probability of ``servers`` servers.

    B(n) = a·B(n-1) / (n + a·B(n-1)), B(0) = 1, run in log space: no factorials, no overflow,
    and B stays exact where it is far below the smallest float."""
    if servers < 0:
        raise ValueError("servers must be >= 0")
    if servers == 0:
        return 0.0
    if traffic <= 0:
        return -math.inf
    log_a, log_b = math.log(traffic), 0.0
    for n in range(1, servers + 1):
        log_b = log_a + log_b - math.log(n + math.exp(log_a + log_b))
    return log_b


def erlang_b(servers: int, traffic: float) -> float:
    """Erlang B: the probability that all ``servers`` are busy in a loss system."""
    return math.exp(log_erlang_b(servers, traffic))


def _erlang_c(workload: Workload, agents: int, log_b: float, answer_seconds: float) -> QueueMetrics:
    servers, traffic = workload.servers(agents), workload.traffic
    if traffic == 0:
        return QueueMetrics("erlang_c", agents, servers, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    if servers <= traffic:
        return QueueMetrics("erlang_c", agents, servers, traffic, 1.0, 0.0, math.inf, 1.0, 0.0, 0.0)
    blocking = math.exp(log_b)
    wait = servers * blocking / (servers - traffic * (1 - blocking))
    spare_rate = (servers - traffic) / workload.channel.aht_seconds
    level = 1 - wait * math.exp(-spare_rate * answer_seconds)
    return QueueMetrics(
        model="erlang_c",
        agents=agents,
        servers=servers,
        traffic_erlangs=traffic,
        wait_probability=wait,
        service_level=level,
        asa_seconds=wait / spare_rate,
        occupancy=traffic / servers,
        abandon_probability=0.0,
        abandoned_within_target=0.0,
    )


def erlang_c(workload: Workload, agents: int, answer_seconds: float = 20.0) -> QueueMetrics:
    """Erlang C metrics (nobody abandons), ignoring the channel's patience if it has one."""
    return _erlang_c(
        workload, agents, log_erlang_b(workload.servers(agents), workload.traffic), answer_seconds
    )


# --- Erlang A -------------------------------------------------------------------------------


def _log_scaled_gamma(x: float, y: float) -> float:
    """log A(x, y), A(x, y) = x·e^y·y^-x·γ(x, y) = 1 + Σ_j y^j / ((x+1)(x+2)···(x+j)).

    Below y = x the series converges geometrically (and γ may underflow); above, or when the
    series would be long, the regularised incomplete gamma function is not small."""
    if y <= 0:
        return 0.0
    ratio = y / (x + 1)
    if ratio < 1:
        terms = 45 / -math.log(ratio) + 10
        if terms <= 100_000:
            j = np.arange(1, int(terms) + 1, dtype=float)
            log_terms = j * math.log(y) - np.cumsum(np.log(x + j))
            return math.log1p(float(np.exp(log_terms).sum()))
    regularised = float(gammainc(x, y))
    if regularised <= 0:
        raise ValueError(f"Erlang A out of numerical range (x={x:g}, y={y:g})")
    return float(math.log(x) + y - x * math.log(y) + gammaln(x) + math.log(regularised))


def _erlang_a_asa(log_pi_n: float, x: float, y: float, theta: float, served: float) -> float:
    """Mean wait of answered contacts: Σ_k π(n+k)·P(served | k ahead)·E[wait | served, k].

    A contact finding k others waiting is served with probability x/(x+k+1), after a mean
    (θ-scaled) wait Σ_{i=1..k+1} 1/(x+i) given that it is served."""
    if served <= 0:
        return math.inf
    terms = int(max(0.0, y - x) + 12 * math.sqrt(y) + 200)
    while True:
        if terms > _MAX_QUEUE_TERMS:
            raise ValueError("patience too long for so overloaded a queue: use Erlang C")
        k = np.arange(terms, dtype=float)
        log_state = k * math.log(y) - np.concatenate(([0.0], np.cumsum(np.log(x + k[1:]))))
        harmonic = np.cumsum(1.0 / (x + k + 1))
        log_terms = log_pi_n + log_state + np.log(x / (x + k + 1)) + np.log(harmonic)
        if log_terms[-1] < log_terms.max() - 50:
            break
        terms *= 2
    return float(np.exp(log_terms).sum()) / theta / served


@dataclass(frozen=True)
class _Palm:
    wait: float
    abandon: float
    abandoned_early: float
    answered_in_time: float
    log_pi_n: float


def _palm(x: float, y: float, log_b: float, s: float) -> _Palm:
    """Mandelbaum & Zeltyn's closed forms, θ-scaled: x = Nμ/θ, y = λ/θ, s = θ·T.

    With A = A(x, y) and B the Erlang B of N servers: P(wait) = A·B / (1 + (A-1)·B);
    π_N = P(wait) / A; P(offered wait > s) = π_N·A(x, y·e^-s)·e^(y - y·e^-s - x·s);
    P(answered after waiting more than u) = π_N·x/(x+1)·A(x+1, y·e^-u)·e^(y - y·e^-u - (x+1)u).
    """
    log_a = _log_scaled_gamma(x, y)
    z = math.log1p(-math.exp(log_b)) - log_a - log_b  # P(wait) = 1 / (1 + e^z), no overflow
    log_wait = -(max(z, 0.0) + math.log1p(math.exp(-abs(z))))
    wait = math.exp(log_wait)
    log_pi_n = log_wait - log_a
    w = y * math.exp(-s)
    longer = math.exp(log_pi_n + _log_scaled_gamma(x, w) + y - w - x * s)
    log_c = log_pi_n + math.log(x / (x + 1))
    served_after_wait = math.exp(log_c + _log_scaled_gamma(x + 1, y))
    served_late = math.exp(log_c + _log_scaled_gamma(x + 1, w) + y - w - (x + 1) * s)
    abandon = _unit(wait - served_after_wait)
    # Abandoned after the target = still waiting at the target, then abandoning.
    early = _unit(abandon - (math.exp(-s) * longer - served_late))
    return _Palm(wait, abandon, early, _unit(1 - wait + served_after_wait - served_late), log_pi_n)


def erlang_a(workload: Workload, agents: int, answer_seconds: float = 20.0) -> QueueMetrics:
    """Erlang A (M/M/N+M) metrics; the channel must have a patience."""
    log_b = log_erlang_b(workload.servers(agents), workload.traffic)
    return _erlang_a(workload, agents, log_b, answer_seconds, with_asa=True)


def _erlang_a(
    workload: Workload, agents: int, log_b: float, answer_seconds: float, *, with_asa: bool
) -> QueueMetrics:
    channel = workload.channel
    if channel.patience_seconds is None:
        raise ValueError("Erlang A needs a patience")
    servers, traffic = workload.servers(agents), workload.traffic
    if traffic == 0:
        return QueueMetrics("erlang_a", agents, servers, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    theta = 1 / channel.patience_seconds
    if servers == 0:
        early = -math.expm1(-theta * answer_seconds)
        return QueueMetrics("erlang_a", agents, 0, traffic, 1.0, 0.0, math.inf, 0.0, 1.0, early)
    x, y = servers / channel.aht_seconds / theta, workload.arrival_rate / theta
    palm = _palm(x, y, log_b, theta * answer_seconds)
    wait, abandon = palm.wait, palm.abandon
    asa = 0.0
    if with_asa and wait > 0:
        asa = _erlang_a_asa(palm.log_pi_n, x, y, theta, 1 - abandon)
    return QueueMetrics(
        model="erlang_a",
        agents=agents,
        servers=servers,
        traffic_erlangs=traffic,
        wait_probability=wait,
        service_level=palm.answered_in_time,
        asa_seconds=asa,
        occupancy=min(traffic * (1 - abandon) / servers, 1.0),
        abandon_probability=abandon,
        abandoned_within_target=palm.abandoned_early,
    )


def _unit(value: float) -> float:
    """Clamp rounding noise (a difference of nearly equal terms) into [0, 1]."""
    return min(max(value, 0.0), 1.0)


# --- The metrics by name, and staffing ------------------------------------------------------


def queue_metrics(workload: Workload, agents: int, answer_seconds: float = 20.0) -> QueueMetrics:
    """Erlang C metrics, or Erlang A when the channel has a patience."""
    if agents < 0:
        raise ValueError("agents must be >= 0")
    if workload.channel.patience_seconds is None:
        return erlang_c(workload, agents, answer_seconds)
    return erlang_a(workload, agents, answer_seconds)


def wait_probability(workload: Workload, agents: int) -> float:
    """The probability that a contact waits at all (Erlang C, or Erlang A with patience)."""
    return queue_metrics(workload, agents).wait_probability


def service_level(workload: Workload, agents: int, answer_seconds: float) -> float:
    """Contacts answered within ``answer_seconds`` / contacts offered."""
    return queue_metrics(workload, agents, answer_seconds).service_level


def average_speed_of_answer(workload: Workload, agents: int) -> float:
    """ASA in seconds: the mean wait of answered contacts (infinite when overloaded)."""
    return queue_metrics(workload, agents).asa_seconds


def occupancy(workload: Workload, agents: int) -> float:
    """The share of servers' time spent handling contacts (carried traffic / servers)."""
    return queue_metrics(workload, agents).occupancy


def agents_with_shrinkage(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that ``agents`` are available: ceil(agents / (1 - shrinkage))."""
    if not 0 <= shrinkage < 1:
        raise ValueError("the shrinkage must be in [0, 1)")
    return max(agents, math.ceil(agents / (1 - shrinkage) - _EPS))


def _meets(metrics: QueueMetrics, targets: Targets) -> bool:
    level = metrics.service_level
    if targets.exclude_early_abandons:
        level = metrics.service_level_excluding_early_abandons
    stable = metrics.asa_seconds < math.inf  # Erlang C with N <= a never empties its queue
    return (
        stable
        and level >= targets.service_level - _EPS
        and metrics.occupancy <= targets.max_occupancy + _EPS
    )


def required_servers(workload: Workload, targets: Targets) -> int:
    """The fewest servers (slots) meeting the service level and the maximum occupancy.

    Both measures improve with every server added, so the answer is found by doubling, then
    bisecting: a few dozen evaluations even for thousands of servers."""
    single = Workload(workload.volume, _one_slot(workload.channel))
    if single.traffic == 0:
        return 0

    def meets(servers: int) -> bool:
        metrics = _metrics(single, servers, targets.answer_seconds, with_asa=False)
        return _meets(metrics, targets)

    low, high = 0, max(1, math.ceil(single.traffic))  # low never meets the targets
    while not meets(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if meets(middle) else (middle, high)
    return high


def _metrics(workload: Workload, agents: int, answer: float, *, with_asa: bool) -> QueueMetrics:
    log_b = log_erlang_b(workload.servers(agents), workload.traffic)
    if workload.channel.patience_seconds is None:
        return _erlang_c(workload, agents, log_b, answer)
    return _erlang_a(workload, agents, log_b, answer, with_asa=with_asa)


def required_agents(workload: Workload, targets: Targets) -> Staffing:
    """The fewest agents whose servers meet both targets, and the agents to schedule."""
    slots = workload.channel.concurrency
    agents = -(-required_servers(workload, targets) // slots)
    metrics = queue_metrics(workload, agents, targets.answer_seconds)
    return Staffing(metrics, agents_with_shrinkage(agents, targets.shrinkage))


def staff_intervals(
    forecast: Sequence[tuple[str, float]], channel: Channel, targets: Targets
) -> list[IntervalStaffing]:
    """The requirement of every forecast interval ``(interval_start, volume)``, in order."""
    return [
        IntervalStaffing(start, volume, required_agents(Workload(volume, channel), targets))
        for start, volume in forecast
    ]


def _one_slot(channel: Channel) -> Channel:
    return Channel(channel.interval_seconds, channel.aht_seconds, channel.patience_seconds, 1)
