"""One SLA clock as an immutable value: business time consumed against a target while it runs,
paused and resumed, retargeted, stopped as met or breached; when it falls due.

``elapsed_seconds`` is the business time consumed before the current run and
``running_since`` the start of that run (None: paused or stopped). The calendar is passed in:
the clock only counts, the policy decides which calendar counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from kefu.sla.calendar import BusinessCalendar, add_business_seconds, business_seconds_between


class ClockStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


@dataclass(frozen=True, slots=True)
class Clock:
    """``met_at`` is when the goal was reached (a reply, a resolution); ``breached_at`` when the
    target ran out. A clock breached while still open keeps ``met_at`` None until the goal is
    reached late, so both may be set."""

    target_seconds: int
    elapsed_seconds: float = 0.0
    running_since: datetime | None = None
    met_at: datetime | None = None
    breached_at: datetime | None = None

    @property
    def status(self) -> ClockStatus:
        if self.breached_at is not None:
            return ClockStatus.BREACHED
        if self.met_at is not None:
            return ClockStatus.MET
        return ClockStatus.PAUSED if self.running_since is None else ClockStatus.RUNNING

    @property
    def adjustable(self) -> bool:
        """Running or paused: not yet met nor breached, so pausing and retargeting apply."""
        return self.status in (ClockStatus.RUNNING, ClockStatus.PAUSED)

    def consumed(self, cal: BusinessCalendar, at: datetime) -> float:
        """Business seconds used by ``at`` (the running part counted on ``cal``)."""
        if self.status is not ClockStatus.RUNNING:
            return self.elapsed_seconds
        assert self.running_since is not None
        return self.elapsed_seconds + business_seconds_between(cal, self.running_since, at)

    def due_at(self, cal: BusinessCalendar) -> datetime | None:
        """When the target runs out if nothing changes; None unless running."""
        if self.status is not ClockStatus.RUNNING:
            return None
        assert self.running_since is not None
        left = max(0.0, self.target_seconds - self.elapsed_seconds)
        return add_business_seconds(cal, self.running_since, left)

    def warn_at(self, cal: BusinessCalendar, warn_fraction: float) -> datetime | None:
        """When ``warn_fraction`` of the target is used; the run's start if it already is."""
        if self.status is not ClockStatus.RUNNING:
            return None
        assert self.running_since is not None
        left = max(0.0, warn_fraction * self.target_seconds - self.elapsed_seconds)
        return add_business_seconds(cal, self.running_since, left)

    def is_breached(self, cal: BusinessCalendar, at: datetime) -> bool:
        """Breached, or running with the whole target consumed by ``at``. Paused and met
        clocks never are."""
        status = self.status
        if status is ClockStatus.BREACHED:
            return True
        if status is not ClockStatus.RUNNING:
            return False
        return self.consumed(cal, at) >= self.target_seconds

    def pause(self, cal: BusinessCalendar, at: datetime) -> Clock:
        """Bank the run so far. A clock whose target ran out before ``at`` is breached instead
        (at its due time), so a paused clock always has time left."""
        clock = self._unbreached(at)
        if clock.status is not ClockStatus.RUNNING:
            return clock
        used = clock.consumed(cal, at)
        overdue = clock._overdue_at(cal, at) if used >= clock.target_seconds else None
        return replace(clock, elapsed_seconds=used, running_since=None, breached_at=overdue)

    def resume(self, at: datetime) -> Clock:
        if self.status is not ClockStatus.PAUSED:
            return self
        return replace(self, running_since=at)

    def retarget(self, target_seconds: int) -> Clock:
        """A new target for a running or paused clock; the time used so far stays used."""
        if not self.adjustable:
            return self
        return replace(self, target_seconds=target_seconds)

    def stop(self, cal: BusinessCalendar, at: datetime) -> Clock:
        """The goal is reached at ``at``: met if time was left, else breached at the due time.
        A clock already breached records ``at`` as the late completion."""
        clock = self._unbreached(at)
        status = clock.status
        if clock.met_at is not None:
            return clock
        if status is ClockStatus.BREACHED:
            return replace(clock, met_at=at)
        used = clock.consumed(cal, at)
        breached_at = None
        if used >= clock.target_seconds:
            breached_at = clock._overdue_at(cal, at) if status is ClockStatus.RUNNING else at
        return replace(
            clock, elapsed_seconds=used, running_since=None, met_at=at, breached_at=breached_at
        )

    def _unbreached(self, at: datetime) -> Clock:
        """Undo a breach recorded while running (by a sweep) when what stops or pauses the
        clock happened before the deadline: the sweep ran before that was known."""
        breached_at = self.breached_at
        if breached_at is None or self.met_at is not None or self.running_since is None:
            return self
        return replace(self, breached_at=None) if at < breached_at else self

    def _overdue_at(self, cal: BusinessCalendar, at: datetime) -> datetime:
        due = self.due_at(cal)
        return at if due is None else min(due, at)


def start(target_seconds: int, at: datetime) -> Clock:
    """A clock running from ``at`` with nothing used yet."""
    return Clock(target_seconds=target_seconds, running_since=at)
