"""How long a waiting customer will wait, and when the peak squad joins a queue: pure, no I/O.

The prediction uses what the queue actually did lately (how many it served per minute) and
falls back to handle time over serving seats when it has no recent history, so a quiet queue
still gets a sensible figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Hysteresis: a peak squad that joined at the threshold leaves only once the wait falls to
# this share of it, so it does not flap in and out around the line.
PEAK_LEAVE_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class QueueLoad:
    """What the prediction knows about one queue at one moment."""

    # Conversations of the queue served (assigned) per minute, lately; 0 if none.
    served_per_minute: float
    # Free seats (chats) among the agents able to take the queue's conversations now.
    free_seats: int
    # Seats of all those agents, busy or not.
    seats: int
    # Mean minutes from assignment to resolution, lately (or a default).
    handle_minutes: float


def expected_wait_seconds(position: int, load: QueueLoad) -> float | None:
    """The predicted wait of the customer ``position`` (1 = next) in the queue; None when no
    agent can take the queue at all, which callers show as "leave a message"."""
    if position <= 0:
        return 0.0
    if position <= load.free_seats:
        return 0.0
    ahead = position - load.free_seats
    if load.served_per_minute > 0:
        return 60.0 * ahead / load.served_per_minute
    if load.seats <= 0:
        return None
    # Each seat frees once per handle time on average.
    return 60.0 * load.handle_minutes * ahead / load.seats


def rounded_minutes(seconds: float) -> int:
    """What customers are told: whole minutes, at least one."""
    return max(1, math.ceil(seconds / 60.0))


def peak_wanted(active: bool, wait_seconds: float | None, threshold_seconds: int | None) -> bool:
    """Whether the peak squad should be on the queue: on once the expected wait passes the
    threshold (or nobody at all can serve it while customers wait), off once it falls to
    ``PEAK_LEAVE_SHARE`` of it; unchanged in between."""
    if threshold_seconds is None:
        return False
    if wait_seconds is None:
        return True
    if wait_seconds > threshold_seconds:
        return True
    if wait_seconds <= threshold_seconds * PEAK_LEAVE_SHARE:
        return False
    return active
