"""What a conversation's SLA clocks should be: from its facts, its shop's policies and its
current clocks to the clocks to create or change. Pure; ``sla.service`` loads and writes.

The four metrics (one row per metric and cycle):

- ``first_response`` runs from ``queued_at`` to ``first_response_at``; paused while pending.
- ``next_response``: after the first response, each wait for an agent (``awaiting_reply_since``)
  is a cycle, met at ``last_agent_reply_at`` once nothing is owed; paused while pending.
- ``resolution`` runs from ``queued_at`` to ``resolved_at``; paused while pending; reopening a
  resolved conversation starts a new cycle.
- ``feedback`` runs from ``complaint_since`` to ``resolved_at`` on wall-clock time, never paused.

Resolving (or closing) a conversation also stops its response clocks: nothing is owed any more.
The first enabled policy that matches governs: a new match retargets running and paused clocks
(time used is kept). Without a match no clock is created, and existing ones keep following the
facts on the targets they have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from kefu.sla.calendar import ALWAYS_OPEN, BusinessCalendar
from kefu.sla.clock import Clock, ClockStatus, start
from kefu.sla.facts import ConversationFacts
from kefu.sla.policy import DEFAULT_WARN_FRACTION, Metric, Policy, match_policy

DONE_STATUSES = frozenset({"resolved", "closed"})
PAUSED_STATUS = "pending"


@dataclass(frozen=True, slots=True)
class TrackedClock:
    """One clock row: the clock value plus what is stored beside it. ``due_at``/``warn_at`` are
    set while running, None while paused, and kept as they were once met or breached."""

    metric: Metric
    cycle: int
    started_at: datetime
    clock: Clock
    policy_id: int | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    warned_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClockChange:
    before: TrackedClock | None  # None: a clock to create
    after: TrackedClock

    @property
    def newly_breached(self) -> bool:
        was = self.before is not None and self.before.clock.breached_at is not None
        return self.after.clock.breached_at is not None and not was


_Pair = tuple[TrackedClock | None, TrackedClock]


@dataclass(frozen=True, slots=True)
class _Context:
    facts: ConversationFacts
    now: datetime
    policy: Policy | None
    by_id: Mapping[int, Policy]

    @property
    def done(self) -> bool:
        return self.facts.status in DONE_STATUSES

    @property
    def done_at(self) -> datetime:
        return self.facts.resolved_at or self.facts.status_changed_at or self.now

    @property
    def changed_at(self) -> datetime:
        return self.facts.status_changed_at or self.now

    def target(self, metric: Metric) -> int | None:
        return None if self.policy is None else self.policy.target(metric)

    def governing(self, tracked: TrackedClock) -> Policy | None:
        """The matched policy if it tracks the metric, else the policy the clock was set by."""
        if self.policy is not None and self.policy.target(tracked.metric) is not None:
            return self.policy
        return None if tracked.policy_id is None else self.by_id.get(tracked.policy_id)

    def calendar(self, tracked: TrackedClock) -> BusinessCalendar:
        policy = self.governing(tracked)
        return ALWAYS_OPEN if policy is None else policy.calendar_for(tracked.metric)

    def new(self, metric: Metric, cycle: int, at: datetime) -> TrackedClock | None:
        target = self.target(metric)
        if target is None or self.policy is None:
            return None
        return TrackedClock(metric, cycle, at, start(target, at), self.policy.id)

    def retargeted(self, tracked: TrackedClock) -> TrackedClock:
        target = self.target(tracked.metric)
        if target is None or self.policy is None or not tracked.clock.adjustable:
            return tracked
        if tracked.clock.target_seconds == target and tracked.policy_id == self.policy.id:
            return tracked
        return replace(tracked, clock=tracked.clock.retarget(target), policy_id=self.policy.id)

    def follow(self, tracked: TrackedClock) -> TrackedClock:
        """Paused while the conversation waits on the customer, running otherwise."""
        clock = tracked.clock
        if self.facts.status == PAUSED_STATUS:
            clock = clock.pause(self.calendar(tracked), self.changed_at)
        else:
            clock = clock.resume(self.changed_at)
        return replace(tracked, clock=clock)

    def stop(self, tracked: TrackedClock, at: datetime) -> TrackedClock:
        return replace(tracked, clock=tracked.clock.stop(self.calendar(tracked), at))


def _first_response(ctx: _Context, latest: TrackedClock | None) -> list[_Pair]:
    facts = ctx.facts
    if latest is None:
        created = (
            None if facts.queued_at is None else ctx.new(Metric.FIRST_RESPONSE, 1, facts.queued_at)
        )
        if created is None:
            return []
        tracked = created
    else:
        tracked = ctx.retargeted(latest)
    end = facts.first_response_at or (ctx.done_at if ctx.done else None)
    return [(latest, ctx.stop(tracked, end) if end is not None else ctx.follow(tracked))]


def _wait_ended_at(ctx: _Context, started: datetime, next_wait: datetime | None) -> datetime:
    """When the wait that began at ``started`` ended: the agent's reply if it falls inside it,
    else the resolution, else the start of the next wait (or now)."""
    reply = ctx.facts.last_agent_reply_at
    if reply is not None and reply >= started and (next_wait is None or reply <= next_wait):
        return reply
    if ctx.done:
        return ctx.done_at
    return next_wait or ctx.now


def _next_response(ctx: _Context, latest: TrackedClock | None) -> list[_Pair]:
    facts = ctx.facts
    waiting = None
    if facts.first_response_at is not None and not ctx.done:
        waiting = facts.awaiting_reply_since
    pairs: list[_Pair] = []
    if latest is not None:
        current = ctx.retargeted(latest)
        if waiting is not None and latest.started_at == waiting:
            return [(latest, ctx.follow(current))]
        pairs.append((latest, ctx.stop(current, _wait_ended_at(ctx, latest.started_at, waiting))))
    if waiting is not None:
        created = ctx.new(Metric.NEXT_RESPONSE, latest.cycle + 1 if latest else 1, waiting)
        if created is not None:
            pairs.append((None, ctx.follow(created)))
    return pairs


def _cycle_start(
    ctx: _Context, latest: TrackedClock | None, first: datetime | None
) -> datetime | None:
    """When a new cycle starts: at ``first`` for the first one; a later one only once the
    conversation is open again after the last cycle was met, at the reopening."""
    if first is None:
        return None
    if latest is None:
        return first
    met_at = latest.clock.met_at
    if ctx.done or met_at is None:
        return None
    for candidate in (first, ctx.facts.status_changed_at, ctx.now):
        if candidate is not None and candidate >= met_at:
            return candidate
    return met_at


def _next_cycle(
    ctx: _Context, metric: Metric, latest: TrackedClock | None, first: datetime | None
) -> tuple[TrackedClock | None, TrackedClock] | None:
    """``(before, clock)`` to carry on with: the latest open cycle, or a new one if due."""
    if latest is not None and latest.clock.met_at is None:
        return latest, ctx.retargeted(latest)
    begin = _cycle_start(ctx, latest, first)
    created = None if begin is None else ctx.new(metric, latest.cycle + 1 if latest else 1, begin)
    return None if created is None else (None, created)


def _resolution(ctx: _Context, latest: TrackedClock | None) -> list[_Pair]:
    found = _next_cycle(ctx, Metric.RESOLUTION, latest, ctx.facts.queued_at)
    if found is None:
        return []
    before, tracked = found
    return [(before, ctx.stop(tracked, ctx.done_at) if ctx.done else ctx.follow(tracked))]


def _feedback(ctx: _Context, latest: TrackedClock | None) -> list[_Pair]:
    complaint = ctx.facts.complaint_since
    found = _next_cycle(ctx, Metric.FEEDBACK, latest, complaint)
    if found is None:
        return []
    before, tracked = found
    if ctx.done:
        tracked = ctx.stop(tracked, ctx.done_at)
    elif complaint is None:  # no longer a complaint: the promise no longer applies
        tracked = ctx.stop(tracked, ctx.now)
    return [(before, tracked)]


def _settle(ctx: _Context, before: TrackedClock | None, after: TrackedClock) -> TrackedClock:
    """Fill in the stored deadlines of ``after``; a new target earns a new warning."""
    clock = after.clock
    due, warn = (before.due_at, before.warn_at) if before else (clock.breached_at, None)
    if clock.status is ClockStatus.RUNNING:
        policy = ctx.governing(after)
        fraction = DEFAULT_WARN_FRACTION if policy is None else policy.warn_fraction
        due, warn = clock.due_at(ctx.calendar(after)), clock.warn_at(ctx.calendar(after), fraction)
    elif clock.status is ClockStatus.PAUSED:
        due = warn = None
    warned_at = after.warned_at
    retargeted = before is not None and before.clock.target_seconds != clock.target_seconds
    if retargeted and warn is not None and warn > ctx.now:
        warned_at = None
    return replace(after, due_at=due, warn_at=warn, warned_at=warned_at)


def latest_cycles(clocks: Iterable[TrackedClock]) -> dict[Metric, TrackedClock]:
    latest: dict[Metric, TrackedClock] = {}
    for tracked in clocks:
        if tracked.metric not in latest or tracked.cycle > latest[tracked.metric].cycle:
            latest[tracked.metric] = tracked
    return latest


def plan(
    facts: ConversationFacts,
    policies: Sequence[Policy],
    clocks: Sequence[TrackedClock],
    now: datetime,
) -> list[ClockChange]:
    """The clocks of one conversation to create or change so they agree with ``facts``;
    ``policies`` are its shop's enabled policies, ``clocks`` all its clock rows. Applying the
    result and planning again with the same facts gives no changes."""
    ctx = _Context(facts, now, match_policy(policies, facts), {p.id: p for p in policies})
    latest = latest_cycles(clocks)
    pairs = [
        *_first_response(ctx, latest.get(Metric.FIRST_RESPONSE)),
        *_next_response(ctx, latest.get(Metric.NEXT_RESPONSE)),
        *_resolution(ctx, latest.get(Metric.RESOLUTION)),
        *_feedback(ctx, latest.get(Metric.FEEDBACK)),
    ]
    changes = []
    for before, after in pairs:
        settled = _settle(ctx, before, after)
        if settled != before:
            changes.append(ClockChange(before, settled))
    return changes


def earliest_due(clocks: Iterable[TrackedClock]) -> datetime | None:
    """The soonest deadline among running clocks, None if none runs."""
    dues = [c.due_at for c in clocks if c.clock.status is ClockStatus.RUNNING and c.due_at]
    return min(dues, default=None)
