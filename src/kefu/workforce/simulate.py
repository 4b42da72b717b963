"""Discrete-event simulation of a contact-centre day: a forecast, a roster, one FCFS queue.

Pure and reproducible: all randomness comes from a seeded numpy ``Generator``; time is the
simulated clock (seconds from the start of the day), never the wall clock.

The model, per interval ``i`` of length ``L``:

* arrivals: a Poisson process of rate ``volume[i] / L`` (non-homogeneous across intervals);
* handle times: exponential with mean AHT, or lognormal with that mean and a given CV;
* patience: exponential with the given mean, or none (nobody abandons);
* ``agents[i] × concurrency`` servers (slots) are on duty; contacts go first come, first
  served to a free slot. When the roster drops, idle slots leave at once and busy ones leave
  as soon as they finish their current contact. When it rises, slots due to leave stay first.
* after the last interval no one new arrives; the last interval's agents stay until the queue
  is empty. Contacts still waiting then (only possible with no agents and no patience) are
  ``unanswered``.

Measures (the same definitions as ``kefu.workforce.erlang``), counted by the interval in which
the contact arrived: service level = answered within the target / offered (an abandoned or
unanswered contact is a miss, even one that gave up before the target); ASA = mean wait of
answered contacts; abandonment rate = abandoned / offered; occupancy = busy slot-seconds /
slot-seconds on duty, in the interval's own time window. The other service-level definition,
answered within the target / (offered - abandoned within the target), is reported as well.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

_BOUNDARY, _COMPLETION, _ABANDON, _ARRIVAL = 0, 1, 2, 3  # same-time events in this order
_WAITING, _ANSWERED, _ABANDONED = 0, 1, 2


@dataclass(frozen=True)
class SimulationConfig:
    """The channel and measurement settings of a simulated day."""

    interval_seconds: float = 1800.0
    aht_seconds: float = 180.0
    answer_seconds: float = 20.0
    patience_seconds: float | None = None
    handle_time_cv: float | None = None
    concurrency: int = 1

    def __post_init__(self) -> None:
        if not self.interval_seconds > 0:
            raise ValueError("the interval must be longer than 0 s")
        if not self.aht_seconds > 0:
            raise ValueError("the average handle time must be longer than 0 s")
        if not self.answer_seconds >= 0:
            raise ValueError("the answer-time target must be >= 0 s")
        if self.patience_seconds is not None and not self.patience_seconds > 0:
            raise ValueError("the patience must be longer than 0 s")
        if self.handle_time_cv is not None and not self.handle_time_cv > 0:
            raise ValueError("the handle-time CV must be > 0")
        if self.concurrency < 1:
            raise ValueError("the concurrency must be at least 1")


@dataclass(frozen=True)
class DayPlan:
    """Expected contacts and agents on duty, one entry per interval of the day."""

    volumes: Sequence[float]
    agents: Sequence[int]

    def __post_init__(self) -> None:
        if len(self.volumes) != len(self.agents):
            raise ValueError("the forecast and the roster must have the same intervals")
        if not self.volumes:
            raise ValueError("the day has no intervals")
        if any(not (v >= 0 and math.isfinite(v)) for v in self.volumes):
            raise ValueError("volumes must be numbers >= 0")
        if any(a < 0 for a in self.agents):
            raise ValueError("agents must be >= 0")


@dataclass
class IntervalResult:
    """Counts of one interval (or of a whole run, once added up)."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    unanswered: int = 0
    answered_within_target: int = 0
    abandoned_within_target: int = 0
    wait_seconds: float = 0.0
    busy_seconds: float = 0.0
    staffed_seconds: float = 0.0

    def add(self, other: IntervalResult) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def service_level(self) -> float | None:
        return self.answered_within_target / self.offered if self.offered else None

    @property
    def service_level_excluding_early_abandons(self) -> float | None:
        counted = self.offered - self.abandoned_within_target
        return self.answered_within_target / counted if counted else None

    @property
    def asa_seconds(self) -> float | None:
        return self.wait_seconds / self.answered if self.answered else None

    @property
    def abandon_rate(self) -> float | None:
        return self.abandoned / self.offered if self.offered else None

    @property
    def occupancy(self) -> float | None:
        return self.busy_seconds / self.staffed_seconds if self.staffed_seconds else None


@dataclass(frozen=True)
class SimulationReport:
    """Per-interval results summed over the simulated days, their total, and each day's SL."""

    intervals: list[IntervalResult]
    total: IntervalResult
    day_service_levels: list[float | None] = field(default_factory=list)

    @property
    def days(self) -> int:
        return len(self.day_service_levels)


@dataclass
class _Contacts:
    arrival: np.ndarray
    interval: np.ndarray
    handle: np.ndarray
    patience: np.ndarray


def _draw_contacts(plan: DayPlan, config: SimulationConfig, rng: np.random.Generator) -> _Contacts:
    """Arrival times (sorted), their intervals, handle times and patience of one day."""
    length = config.interval_seconds
    counts = rng.poisson(np.asarray(plan.volumes, dtype=float))
    interval = np.repeat(np.arange(len(counts)), counts)
    arrival = interval * length + rng.uniform(0.0, length, size=interval.size)
    order = np.argsort(arrival, kind="stable")
    arrival, interval = arrival[order], interval[order]
    n = arrival.size
    if config.handle_time_cv is None:
        handle = rng.exponential(config.aht_seconds, size=n)
    else:
        sigma2 = math.log1p(config.handle_time_cv**2)
        mu = math.log(config.aht_seconds) - sigma2 / 2
        handle = rng.lognormal(mu, math.sqrt(sigma2), size=n)
    if config.patience_seconds is None:
        patience = np.full(n, math.inf)
    else:
        patience = rng.exponential(config.patience_seconds, size=n)
    return _Contacts(arrival, interval, handle, patience)


class _Day:
    """The event loop of one day. Servers are counted, not named: they are interchangeable."""

    def __init__(self, plan: DayPlan, config: SimulationConfig, contacts: _Contacts) -> None:
        self.plan, self.config = plan, config
        self.arrival: list[float] = contacts.arrival.tolist()
        self.interval: list[int] = contacts.interval.tolist()
        self.handle: list[float] = contacts.handle.tolist()
        self.patience: list[float] = contacts.patience.tolist()
        self.state = bytearray(len(self.arrival))
        self.stats = [IntervalResult() for _ in plan.volumes]
        self.day_end = len(plan.volumes) * config.interval_seconds
        self.queue: deque[int] = deque()
        self.events: list[tuple[float, int, int]] = []
        self.present = self.busy = self.leaving = 0
        self.now = 0.0

    def run(self) -> list[IntervalResult]:
        length = self.config.interval_seconds
        # One boundary per interval, plus one at the end of the day that closes the books.
        events = [(i * length, _BOUNDARY, i) for i in range(len(self.plan.agents) + 1)]
        events += [(t, _ARRIVAL, c) for c, t in enumerate(self.arrival)]
        heapq.heapify(events)
        self.events = events
        handlers = {
            _BOUNDARY: self._boundary,
            _COMPLETION: self._completion,
            _ABANDON: self._abandon,
            _ARRIVAL: self._arrive,
        }
        while events:
            time, kind, ident = heapq.heappop(events)
            self._advance(time)
            handlers[kind](ident)
        for contact in self.queue:
            if self.state[contact] == _WAITING:
                self.stats[self.interval[contact]].unanswered += 1
        return self.stats

    def _advance(self, time: float) -> None:
        """Add busy and staffed slot-time since the last event to the interval it fell in."""
        if self.now < self.day_end and time > self.now:
            index = min(int(self.now // self.config.interval_seconds), len(self.stats) - 1)
            span = min(time, self.day_end) - self.now
            self.stats[index].busy_seconds += self.busy * span
            self.stats[index].staffed_seconds += self.present * span
        self.now = time

    def _boundary(self, index: int) -> None:
        if index == len(self.plan.agents):
            return  # the day is over: the last interval's agents stay to empty the queue
        change = self.plan.agents[index] * self.config.concurrency - (self.present - self.leaving)
        if change > 0:
            kept = min(change, self.leaving)
            self.leaving -= kept
            self.present += change - kept
        elif change < 0:
            gone = min(-change, self.present - self.busy)
            self.present -= gone
            self.leaving += -change - gone
        self._serve()

    def _arrive(self, contact: int) -> None:
        self.stats[self.interval[contact]].offered += 1
        self.queue.append(contact)
        patience = self.patience[contact]
        if patience != math.inf:
            heapq.heappush(self.events, (self.now + patience, _ABANDON, contact))
        self._serve()

    def _abandon(self, contact: int) -> None:
        if self.state[contact] != _WAITING:
            return
        self.state[contact] = _ABANDONED  # it stays in the queue and is skipped there
        stats = self.stats[self.interval[contact]]
        stats.abandoned += 1
        if self.patience[contact] <= self.config.answer_seconds:
            stats.abandoned_within_target += 1

    def _completion(self, _contact: int) -> None:
        self.busy -= 1
        if self.leaving:
            self.leaving -= 1
            self.present -= 1
        else:
            self._serve()

    def _serve(self) -> None:
        """Give free slots to the longest-waiting contacts still in the queue."""
        while self.queue and self.present > self.busy:
            contact = self.queue.popleft()
            if self.state[contact] != _WAITING:
                continue
            self.state[contact] = _ANSWERED
            wait = self.now - self.arrival[contact]
            stats = self.stats[self.interval[contact]]
            stats.answered += 1
            stats.wait_seconds += wait
            if wait <= self.config.answer_seconds:
                stats.answered_within_target += 1
            self.busy += 1
            heapq.heappush(self.events, (self.now + self.handle[contact], _COMPLETION, contact))


def simulate_day(
    plan: DayPlan, config: SimulationConfig, rng: np.random.Generator
) -> list[IntervalResult]:
    """One simulated day: the results of each interval."""
    return _Day(plan, config, _draw_contacts(plan, config, rng)).run()


def simulate(
    plan: DayPlan, config: SimulationConfig, *, days: int = 1, seed: int = 0
) -> SimulationReport:
    """``days`` independent days (seeded from ``seed``), added up per interval and overall."""
    if days < 1:
        raise ValueError("simulate at least one day")
    intervals = [IntervalResult() for _ in plan.volumes]
    total = IntervalResult()
    day_levels: list[float | None] = []
    for stream in np.random.SeedSequence(seed).spawn(days):
        day = simulate_day(plan, config, np.random.default_rng(stream))
        day_total = IntervalResult()
        for summed, result in zip(intervals, day, strict=True):
            summed.add(result)
            day_total.add(result)
        total.add(day_total)
        day_levels.append(day_total.service_level)
    return SimulationReport(intervals, total, day_levels)
